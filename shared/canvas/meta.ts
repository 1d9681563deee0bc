import * as Y from 'yjs'
import { CanvasModelError } from './errors.ts'
import { assertValidName, assertValidTags, getMetaMap, META_KEYS, type TransactionOptions } from './layout.ts'

export interface CanvasMetaPatch {
  readonly name?: string
  readonly description?: string
  /** The new tag list. Tags are distinct: duplicates are dropped, first occurrence wins. */
  readonly tags?: readonly string[]
}

/**
 * Updates the canvas meta in one transaction. Only fields that actually change are written, so a concurrent edit
 * of another field by another user is never clobbered by a rewrite of an unchanged value.
 */
export function updateCanvasMeta(doc: Y.Doc, patch: CanvasMetaPatch, options: TransactionOptions = {}): void {
  if (patch.name !== undefined) assertValidName(patch.name)
  if (patch.description !== undefined && typeof patch.description !== 'string') {
    throw new CanvasModelError('canvas description must be a string')
  }
  if (patch.tags !== undefined) assertValidTags(patch.tags)
  doc.transact(() => {
    const meta = getMetaMap(doc)
    if (patch.name !== undefined && meta.get(META_KEYS.name) !== patch.name)
      meta.set(META_KEYS.name, patch.name)
    if (patch.description !== undefined && meta.get(META_KEYS.description) !== patch.description) {
      meta.set(META_KEYS.description, patch.description)
    }
    if (patch.tags !== undefined) setTags(meta, [...new Set(patch.tags)])
  }, options.origin)
}

/**
 * Edits the tags Y.Array in place rather than replacing it: deleting only the removed tags and inserting only the
 * new ones lets a concurrent add of another tag by another user survive. A reorder falls back to rewriting the list.
 */
function setTags(meta: Y.Map<unknown>, target: readonly string[]): void {
  const current = meta.get(META_KEYS.tags)
  if (!(current instanceof Y.Array)) {
    meta.set(META_KEYS.tags, Y.Array.from([...target]))
    return
  }
  const tags: Y.Array<unknown> = current
  const wanted = new Set(target)
  const seen = new Set<unknown>()
  // Delete back to front so earlier indexes stay valid; also drops duplicates and non-strings a client wrote.
  const items = tags.toArray()
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]
    const isFirstOccurrence = items.indexOf(item) === i
    if (typeof item !== 'string' || !wanted.has(item) || !isFirstOccurrence) tags.delete(i, 1)
    else seen.add(item)
  }
  const kept = tags.toArray()
  const keptInTargetOrder = target.filter((tag) => seen.has(tag))
  if (!kept.every((tag, i) => tag === keptInTargetOrder[i])) {
    tags.delete(0, tags.length)
    tags.insert(0, [...target])
    return
  }
  target.forEach((tag, index) => {
    if (!seen.has(tag)) tags.insert(index, [tag])
  })
}
