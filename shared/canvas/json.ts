import * as Y from 'yjs'
import { compareStrings, isPlainObject, type JsonObject, setEntry, toJsonValue } from './json-value.ts'
import {
  BLOCK_KEYS,
  type BlockPosition,
  type BlockType,
  CONTENT_KEYS,
  DEFAULT_BREAKPOINTS,
  DEFAULT_ROW_HEIGHT,
  GRID_COLUMNS,
  getBlocksMap,
  getLayoutMap,
  getMetaMap,
  isBlockType,
  LAYOUT_KEYS,
  LAYOUT_TYPE,
  META_KEYS,
  METADATA_KEYS,
} from './layout.ts'

/** Content field values sit one level below the content map (see MAX_JSON_DEPTH). */
export const CONTENT_VALUE_DEPTH = 1

export interface LayoutJSON {
  type: string
  columns: number
  rowHeight: number
  breakpoints: Record<string, number>
}

export interface BlockMetadataJSON {
  /** null when the stored value is missing or not a string (never the case for blocks written by the helpers). */
  created_by: string | null
  created_at: string | null
  last_modified_by: string | null
  last_modified_at: string | null
}

export interface BlockJSON {
  id: string
  type: BlockType
  position: BlockPosition
  /** Plain JSON content; for a narrative, `text` is always present and is the Y.Text as a string. */
  content: JsonObject
  metadata: BlockMetadataJSON
}

/** The data model's canvas document (section 5.3.2) as far as the collaborative document holds it. */
export interface CanvasJSON {
  name: string
  description: string
  tags: string[]
  layout: LayoutJSON
  /** Ordered by position: y, then x, then id. */
  blocks: BlockJSON[]
}

/**
 * Reads a canvas document as plain JSON. Deterministic (equal documents give deep-equal JSON, keys sorted) and
 * total: it runs on documents that clients write to, so shapes outside the contract are normalised or skipped,
 * never thrown on. Missing meta/layout values read as the defaults of an initialised canvas.
 */
export function toCanvasJSON(doc: Y.Doc): CanvasJSON {
  const meta = getMetaMap(doc)
  const blocks: BlockJSON[] = []
  for (const [key, value] of getBlocksMap(doc).entries()) {
    const block = readBlockJSON(key, value)
    if (block !== undefined) blocks.push(block)
  }
  blocks.sort(compareBlocks)
  return {
    name: readString(meta.get(META_KEYS.name)) ?? '',
    description: readString(meta.get(META_KEYS.description)) ?? '',
    tags: readTags(meta.get(META_KEYS.tags)),
    layout: readLayout(getLayoutMap(doc)),
    blocks,
  }
}

/** Block order of CanvasJSON: top to bottom, left to right, then by id so ties are deterministic. */
export function compareBlocks(a: BlockJSON, b: BlockJSON): number {
  return a.position.y - b.position.y || a.position.x - b.position.x || compareStrings(a.id, b.id)
}

/**
 * Reads one entry of the `blocks` root map. Returns undefined for entries that cannot be a block (not a Y.Map, or
 * an unknown type). The map key is the block's id, whatever the stored `id` field says.
 */
export function readBlockJSON(key: string, value: unknown): BlockJSON | undefined {
  if (!(value instanceof Y.Map)) return undefined
  const block: Y.Map<unknown> = value
  const type = block.get(BLOCK_KEYS.type)
  if (!isBlockType(type)) return undefined
  return {
    id: key,
    type,
    position: readPosition(block.get(BLOCK_KEYS.position)),
    content: readContent(type, block.get(BLOCK_KEYS.content)),
    metadata: readMetadata(block.get(BLOCK_KEYS.metadata)),
  }
}

/**
 * Clamps a stored position onto the grid. Needed even for well-behaved clients: a concurrent move (x) and resize
 * (w) that are each valid can merge into x + w > 12. The moved x is kept and w shrinks to fit.
 */
export function readPosition(value: unknown): BlockPosition {
  const x = clamp(readInteger(value, 'x') ?? 0, 0, GRID_COLUMNS - 1)
  const w = clamp(readInteger(value, 'w') ?? 1, 1, GRID_COLUMNS - x)
  const y = clamp(readInteger(value, 'y') ?? 0, 0, Number.MAX_SAFE_INTEGER)
  const h = clamp(readInteger(value, 'h') ?? 1, 1, Number.MAX_SAFE_INTEGER)
  return { x, y, w, h }
}

function readContent(type: BlockType, value: unknown): JsonObject {
  const stored = value instanceof Y.Map || isPlainObject(value) ? entriesOf(value) : []
  // A narrative's text is a Y.Text, read on its own, and always present in the JSON.
  const entries: [string, unknown][] =
    type === 'narrative'
      ? [
          ...stored.filter(([key]) => key !== CONTENT_KEYS.text),
          [CONTENT_KEYS.text, readText(readField(value, CONTENT_KEYS.text))],
        ]
      : stored
  const content: JsonObject = {}
  for (const [key, item] of sortEntries(entries)) {
    const json = toJsonValue(item, CONTENT_VALUE_DEPTH)
    if (json !== undefined) setEntry(content, key, json)
  }
  return content
}

/** The narrative text: a Y.Text per the contract; a plain string is tolerated, anything else reads as ''. */
export function readText(value: unknown): string {
  if (value instanceof Y.Text) return value.toString()
  return typeof value === 'string' ? value : ''
}

function readMetadata(value: unknown): BlockMetadataJSON {
  return {
    created_by: readString(readField(value, METADATA_KEYS.createdBy)),
    created_at: readString(readField(value, METADATA_KEYS.createdAt)),
    last_modified_by: readString(readField(value, METADATA_KEYS.lastModifiedBy)),
    last_modified_at: readString(readField(value, METADATA_KEYS.lastModifiedAt)),
  }
}

function readLayout(layout: Y.Map<unknown>): LayoutJSON {
  const columns = readInteger(layout, LAYOUT_KEYS.columns)
  const rowHeight = layout.get(LAYOUT_KEYS.rowHeight)
  return {
    type: readString(layout.get(LAYOUT_KEYS.type)) ?? LAYOUT_TYPE,
    columns: columns !== undefined && columns >= 1 ? columns : GRID_COLUMNS,
    rowHeight: isPositiveNumber(rowHeight) ? rowHeight : DEFAULT_ROW_HEIGHT,
    breakpoints: readBreakpoints(layout.get(LAYOUT_KEYS.breakpoints)),
  }
}

function readBreakpoints(value: unknown): Record<string, number> {
  if (!isPlainObject(value) && !(value instanceof Y.Map)) return { ...DEFAULT_BREAKPOINTS }
  const breakpoints: Record<string, number> = {}
  for (const [key, item] of sortEntries(entriesOf(value))) {
    if (isPositiveNumber(item)) setEntry(breakpoints, key, item)
  }
  return breakpoints
}

function readTags(value: unknown): string[] {
  const items = value instanceof Y.Array ? value.toArray() : Array.isArray(value) ? value : []
  return items.filter((item): item is string => typeof item === 'string')
}

function entriesOf(value: Y.Map<unknown> | Record<string, unknown>): [string, unknown][] {
  return value instanceof Y.Map ? [...value.entries()] : Object.entries(value)
}

function readField(container: unknown, key: string): unknown {
  if (container instanceof Y.Map) return container.get(key)
  if (isPlainObject(container) && Object.hasOwn(container, key)) return container[key]
  return undefined
}

function readString(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

/** A finite number floored to an integer, or undefined when the stored value is not a number. */
function readInteger(container: unknown, key: string): number | undefined {
  const value = readField(container, key)
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined
  return Math.floor(value)
}

function isPositiveNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}

function sortEntries(entries: [string, unknown][]): [string, unknown][] {
  return entries.sort(([a], [b]) => compareStrings(a, b))
}
