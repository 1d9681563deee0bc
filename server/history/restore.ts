import * as Y from 'yjs'
import {
  BLOCK_KEYS,
  type BlockJSON,
  type CanvasJSON,
  CONTENT_KEYS,
  diffText,
  getBlocksMap,
  getLayoutMap,
  getMetaMap,
  type JsonValue,
  LAYOUT_KEYS,
  type LayoutJSON,
  META_KEYS,
  METADATA_KEYS,
  toCanvasJSON,
  updateCanvasMeta,
} from '../../shared/canvas/index.ts'
import { jsonEqual } from '../../shared/canvas/json-value.ts'

export class RestoreError extends Error {
  override readonly name = 'RestoreError'
}

const POSITION_FIELDS = ['x', 'y', 'w', 'h'] as const
const LAYOUT_FIELDS: readonly (keyof LayoutJSON)[] = ['type', 'columns', 'rowHeight', 'breakpoints']
const METADATA_FIELDS = [
  ['created_by', METADATA_KEYS.createdBy],
  ['created_at', METADATA_KEYS.createdAt],
  ['last_modified_by', METADATA_KEYS.lastModifiedBy],
  ['last_modified_at', METADATA_KEYS.lastModifiedAt],
] as const

/**
 * The Yjs update that makes `current` read (through toCanvasJSON) exactly as `target`, a version's canvas. It is
 * computed on a copy, as ordinary edits of the live structure rather than a replacement of it: unchanged blocks
 * and fields are not written, narrative text is edited by its diff, and a block is recreated only when it is gone
 * or changed type. So the update is small, and edits made concurrently by clients (on other blocks, other fields,
 * other parts of a text) merge with the restore instead of being wiped out. Returns null when nothing differs.
 *
 * Throws a RestoreError when the copy does not read as `target` afterwards (a bug, never a partial restore).
 */
export function restoreUpdate(current: Y.Doc, target: CanvasJSON): Uint8Array | null {
  const copy = new Y.Doc()
  try {
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(current))
    const before = toCanvasJSON(copy)
    const updates: Uint8Array[] = []
    const record = (update: Uint8Array): void => {
      updates.push(update)
    }
    copy.on('update', record)
    copy.transact(() => {
      rewriteMeta(copy, before, target)
      rewriteLayout(copy, before, target)
      rewriteBlocks(copy, before, target)
    })
    copy.off('update', record)
    if (!jsonEqual(toJsonTree(toCanvasJSON(copy)), toJsonTree(target))) {
      throw new RestoreError('the restored document does not read as the version it restores')
    }
    return updates.length === 0 ? null : Y.mergeUpdates(updates)
  } finally {
    copy.destroy()
  }
}

function rewriteMeta(doc: Y.Doc, before: CanvasJSON, target: CanvasJSON): void {
  const meta = getMetaMap(doc)
  if (before.name !== target.name) meta.set(META_KEYS.name, target.name)
  if (before.description !== target.description) meta.set(META_KEYS.description, target.description)
  // In place, like a user's tag edit, so a concurrent tag edit merges.
  if (!jsonEqual(before.tags, target.tags)) updateCanvasMeta(doc, { tags: target.tags })
}

function rewriteLayout(doc: Y.Doc, before: CanvasJSON, target: CanvasJSON): void {
  const layout = getLayoutMap(doc)
  for (const field of LAYOUT_FIELDS) {
    const wanted = target.layout[field]
    if (jsonEqual(toJsonTree(before.layout[field]), toJsonTree(wanted))) continue
    layout.set(LAYOUT_KEYS[field], typeof wanted === 'object' ? { ...wanted } : wanted)
  }
}

function rewriteBlocks(doc: Y.Doc, before: CanvasJSON, target: CanvasJSON): void {
  const blocks = getBlocksMap(doc)
  const current = new Map(before.blocks.map((block) => [block.id, block]))
  const wanted = new Map(target.blocks.map((block) => [block.id, block]))
  // Every raw entry that is not a readable block of the wanted type goes (junk included); it is recreated below
  // when the version has a block under that id.
  for (const key of [...blocks.keys()]) {
    const goal = wanted.get(key)
    if (goal === undefined || current.get(key)?.type !== goal.type) blocks.delete(key)
  }
  for (const goal of target.blocks) {
    const existing = blocks.get(goal.id)
    const present = current.get(goal.id)
    if (existing instanceof Y.Map && present !== undefined && present.type === goal.type) {
      patchBlock(existing, present, goal)
    } else {
      blocks.set(goal.id, newBlockMap(goal))
    }
  }
}

function patchBlock(block: Y.Map<unknown>, present: BlockJSON, goal: BlockJSON): void {
  const position = childMap(block, BLOCK_KEYS.position)
  for (const field of POSITION_FIELDS) {
    if (present.position[field] !== goal.position[field] || position.get(field) !== goal.position[field]) {
      position.set(field, goal.position[field])
    }
  }

  const content = childMap(block, BLOCK_KEYS.content)
  const isNarrative = goal.type === 'narrative'
  for (const key of [...content.keys()]) {
    if (isNarrative && key === CONTENT_KEYS.text) continue
    if (!Object.hasOwn(goal.content, key)) content.delete(key)
  }
  for (const [key, value] of Object.entries(goal.content)) {
    if (isNarrative && key === CONTENT_KEYS.text) continue
    const now = Object.hasOwn(present.content, key) ? present.content[key] : undefined
    if (!jsonEqual(now, value)) content.set(key, value)
  }
  if (isNarrative) rewriteText(content, textOf(present), textOf(goal))

  const metadata = childMap(block, BLOCK_KEYS.metadata)
  for (const [field, key] of METADATA_FIELDS) {
    const value = goal.metadata[field]
    if (present.metadata[field] === value && (value !== null || !metadata.has(key))) continue
    if (value === null) metadata.delete(key)
    else metadata.set(key, value)
  }
}

/** Edits a narrative's Y.Text by the diff of the two texts (a plain-string text is replaced by a Y.Text). */
function rewriteText(content: Y.Map<unknown>, from: string, to: string): void {
  const text = content.get(CONTENT_KEYS.text)
  if (!(text instanceof Y.Text)) {
    content.set(CONTENT_KEYS.text, new Y.Text(to))
    return
  }
  // Ranges are offsets in the new text, applied in order (see diffText).
  for (const range of diffText(from, to).ranges) {
    if (range.deleted > 0) text.delete(range.index, range.deleted)
    if (range.inserted > 0) text.insert(range.index, to.slice(range.index, range.index + range.inserted))
  }
}

/** The nested map under `key`, replaced by an empty Y.Map when a client stored something else there. */
function childMap(block: Y.Map<unknown>, key: string): Y.Map<unknown> {
  const child = block.get(key)
  if (child instanceof Y.Map) return child
  const fresh = new Y.Map<unknown>()
  block.set(key, fresh)
  return fresh
}

function newBlockMap(goal: BlockJSON): Y.Map<unknown> {
  const block = new Y.Map<unknown>()
  block.set(BLOCK_KEYS.id, goal.id)
  block.set(BLOCK_KEYS.type, goal.type)
  const position = new Y.Map<unknown>()
  for (const field of POSITION_FIELDS) position.set(field, goal.position[field])
  block.set(BLOCK_KEYS.position, position)
  const content = new Y.Map<unknown>()
  for (const [key, value] of Object.entries(goal.content)) {
    if (goal.type === 'narrative' && key === CONTENT_KEYS.text) continue
    content.set(key, value)
  }
  if (goal.type === 'narrative') content.set(CONTENT_KEYS.text, new Y.Text(textOf(goal)))
  block.set(BLOCK_KEYS.content, content)
  const metadata = new Y.Map<unknown>()
  for (const [field, key] of METADATA_FIELDS) {
    const value = goal.metadata[field]
    if (value !== null) metadata.set(key, value)
  }
  block.set(BLOCK_KEYS.metadata, metadata)
  return block
}

function textOf(block: BlockJSON): string {
  const text = Object.hasOwn(block.content, CONTENT_KEYS.text) ? block.content[CONTENT_KEYS.text] : undefined
  return typeof text === 'string' ? text : ''
}

/** Canvas JSON types are plain JSON; this view lets jsonEqual compare them. */
function toJsonTree(value: unknown): JsonValue {
  return value as JsonValue
}
