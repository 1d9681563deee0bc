import * as Y from 'yjs'
import { CanvasModelError } from './errors.ts'
import { type BlockJSON, type CanvasJSON, type LayoutJSON, toCanvasJSON } from './json.ts'
import { compareStrings, type JsonValue, jsonEqual } from './json-value.ts'
import { type BlockPosition, type BlockType, CONTENT_KEYS } from './layout.ts'
import { diffText, type TextRange } from './text-diff.ts'

export type CanvasChange =
  | { readonly type: 'block_added'; readonly block_id: string; readonly block_type: BlockType }
  | { readonly type: 'block_removed'; readonly block_id: string; readonly block_type: BlockType }
  | {
      readonly type: 'block_moved'
      readonly block_id: string
      readonly from: Pick<BlockPosition, 'x' | 'y'>
      readonly to: Pick<BlockPosition, 'x' | 'y'>
    }
  | {
      readonly type: 'block_resized'
      readonly block_id: string
      readonly from: Pick<BlockPosition, 'w' | 'h'>
      readonly to: Pick<BlockPosition, 'w' | 'h'>
    }
  | { readonly type: 'block_content_changed'; readonly block_id: string; readonly fields: readonly string[] }
  | {
      readonly type: 'narrative_text_changed'
      readonly block_id: string
      readonly inserted: number
      readonly deleted: number
      readonly ranges: readonly TextRange[]
    }
  | { readonly type: 'layout_changed'; readonly fields: readonly (keyof LayoutJSON)[] }
  | { readonly type: 'meta_changed'; readonly fields: readonly MetaField[] }

export type CanvasChangeType = CanvasChange['type']
export type MetaField = 'name' | 'description' | 'tags'

/** Every change type (ChangeSummary.counts has the same keys, which the compiler checks in zeroCounts). */
export const CANVAS_CHANGE_TYPES = [
  'block_added',
  'block_removed',
  'block_moved',
  'block_resized',
  'block_content_changed',
  'narrative_text_changed',
  'layout_changed',
  'meta_changed',
] as const satisfies readonly CanvasChangeType[]

export interface ChangeSummary {
  /**
   * In a fixed order: meta, layout, removed blocks (by id), then per block of the new canvas in canvas order
   * (y, x, id): added, or moved / resized / content changed / text changed. Empty when nothing changed.
   */
  readonly changes: readonly CanvasChange[]
  /** Number of changes of each type; every type is present, 0 when absent. */
  readonly counts: Readonly<Record<CanvasChangeType, number>>
}

const META_FIELDS: readonly MetaField[] = ['name', 'description', 'tags']
const LAYOUT_FIELDS: readonly (keyof LayoutJSON)[] = ['type', 'columns', 'rowHeight', 'breakpoints']

/** Summary of what changed between two states of a canvas, as readers of toCanvasJSON see them. */
export function summarizeChanges(before: Y.Doc, after: Y.Doc): ChangeSummary {
  return summarizeCanvasChanges(toCanvasJSON(before), toCanvasJSON(after))
}

/**
 * Summary of the changes that `updates` make to the canvas state `beforeState` (null: an empty document). The
 * updates are applied in order to a copy of the state; updates whose dependencies are missing stay pending, as in
 * any Y.Doc. Throws a CanvasModelError when an update cannot be decoded.
 */
export function summarizeUpdate(
  beforeState: Uint8Array | null,
  updates: Uint8Array | readonly Uint8Array[],
): ChangeSummary {
  const before = new Y.Doc()
  const after = new Y.Doc()
  try {
    if (beforeState !== null) {
      applyOrThrow(before, beforeState, 'the before state')
      applyOrThrow(after, beforeState, 'the before state')
    }
    const list = updates instanceof Uint8Array ? [updates] : updates
    for (const [i, update] of list.entries()) applyOrThrow(after, update, `update ${i}`)
    return summarizeChanges(before, after)
  } finally {
    before.destroy()
    after.destroy()
  }
}

function applyOrThrow(doc: Y.Doc, update: Uint8Array, what: string): void {
  try {
    Y.applyUpdate(doc, update)
  } catch (error) {
    throw new CanvasModelError(`${what} is not a valid Yjs update`, { cause: error })
  }
}

export function summarizeCanvasChanges(before: CanvasJSON, after: CanvasJSON): ChangeSummary {
  const changes: CanvasChange[] = []
  const metaFields = META_FIELDS.filter((field) => !jsonEqual(before[field], after[field]))
  if (metaFields.length > 0) changes.push({ type: 'meta_changed', fields: metaFields })
  const layoutFields = LAYOUT_FIELDS.filter((field) => !jsonEqual(before.layout[field], after.layout[field]))
  if (layoutFields.length > 0) changes.push({ type: 'layout_changed', fields: layoutFields })

  const beforeBlocks = new Map(before.blocks.map((block) => [block.id, block]))
  const afterBlocks = new Map(after.blocks.map((block) => [block.id, block]))
  // A block whose type changed under the same id is a different block: report it as removed and added.
  const isSameBlock = (old: BlockJSON, next: BlockJSON | undefined): boolean => next?.type === old.type
  const removed = before.blocks
    .filter((block) => !isSameBlock(block, afterBlocks.get(block.id)))
    .sort((a, b) => compareStrings(a.id, b.id))
  for (const block of removed)
    changes.push({ type: 'block_removed', block_id: block.id, block_type: block.type })

  for (const block of after.blocks) {
    const old = beforeBlocks.get(block.id)
    if (old === undefined || !isSameBlock(old, block)) {
      changes.push({ type: 'block_added', block_id: block.id, block_type: block.type })
    } else {
      changes.push(...blockChanges(old, block))
    }
  }

  const counts = zeroCounts()
  for (const change of changes) counts[change.type]++
  return { changes, counts }
}

function zeroCounts(): Record<CanvasChangeType, number> {
  return {
    block_added: 0,
    block_removed: 0,
    block_moved: 0,
    block_resized: 0,
    block_content_changed: 0,
    narrative_text_changed: 0,
    layout_changed: 0,
    meta_changed: 0,
  }
}

function blockChanges(old: BlockJSON, next: BlockJSON): CanvasChange[] {
  const changes: CanvasChange[] = []
  const id = next.id
  const from = old.position
  const to = next.position
  if (from.x !== to.x || from.y !== to.y) {
    changes.push({
      type: 'block_moved',
      block_id: id,
      from: { x: from.x, y: from.y },
      to: { x: to.x, y: to.y },
    })
  }
  if (from.w !== to.w || from.h !== to.h) {
    changes.push({
      type: 'block_resized',
      block_id: id,
      from: { w: from.w, h: from.h },
      to: { w: to.w, h: to.h },
    })
  }

  const isNarrative = next.type === 'narrative'
  const keys = new Set([...Object.keys(old.content), ...Object.keys(next.content)])
  const fields = [...keys]
    .filter((key) => !(isNarrative && key === CONTENT_KEYS.text))
    .filter((key) => !jsonEqual(ownValue(old.content, key), ownValue(next.content, key)))
    .sort(compareStrings)
  if (fields.length > 0) changes.push({ type: 'block_content_changed', block_id: id, fields })

  if (isNarrative) {
    const diff = diffText(textOf(old), textOf(next))
    if (diff.ranges.length > 0) {
      changes.push({
        type: 'narrative_text_changed',
        block_id: id,
        inserted: diff.inserted,
        deleted: diff.deleted,
        ranges: diff.ranges,
      })
    }
  }
  return changes
}

function ownValue(object: Readonly<Record<string, JsonValue>>, key: string): JsonValue | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined
}

function textOf(block: BlockJSON): string {
  const text = ownValue(block.content, CONTENT_KEYS.text)
  return typeof text === 'string' ? text : ''
}
