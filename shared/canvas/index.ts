// Public API of the shared canvas model: the Y.Doc layout clients code against, typed helpers, JSON and summaries.
export {
  addBlock,
  BLOCK_ID_PREFIX,
  type BlockContent,
  type ContentPatch,
  deleteBlock,
  deleteNarrativeText,
  getBlock,
  insertNarrativeText,
  MAX_BLOCK_ID_LENGTH,
  type MutationOptions,
  moveBlock,
  type NewBlock,
  resizeBlock,
  updateBlockContent,
} from './blocks.ts'
export { CanvasModelError } from './errors.ts'
export {
  type BlockJSON,
  type BlockMetadataJSON,
  type CanvasJSON,
  type LayoutJSON,
  readBlockJSON,
  toCanvasJSON,
} from './json.ts'
export {
  isJsonValue,
  type JsonObject,
  type JsonPrimitive,
  type JsonValue,
  MAX_JSON_DEPTH,
} from './json-value.ts'
export {
  assertValidPosition,
  BLOCK_KEYS,
  BLOCK_TYPES,
  type BlockPosition,
  type BlockType,
  CANVAS_ROOTS,
  type CanvasInit,
  CONTENT_KEYS,
  DEFAULT_BREAKPOINTS,
  DEFAULT_ROW_HEIGHT,
  GRID_COLUMNS,
  getBlocksMap,
  getLayoutMap,
  getMetaMap,
  initCanvasDoc,
  isBlockType,
  LAYOUT_KEYS,
  LAYOUT_TYPE,
  MAX_CANVAS_NAME_LENGTH,
  META_KEYS,
  METADATA_KEYS,
  type TransactionOptions,
} from './layout.ts'
export { type CanvasMetaPatch, updateCanvasMeta } from './meta.ts'
export {
  CANVAS_CHANGE_TYPES,
  type CanvasChange,
  type CanvasChangeType,
  type ChangeSummary,
  type MetaField,
  summarizeCanvasChanges,
  summarizeChanges,
  summarizeUpdate,
} from './summary.ts'
export { diffText, MAX_DIFF_WORK, type TextDiff, type TextRange } from './text-diff.ts'
