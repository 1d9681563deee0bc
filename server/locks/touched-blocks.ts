import * as Y from 'yjs'
import { CANVAS_ROOTS } from '../../shared/canvas/index.ts'
import type { DecodedItem, DecodedUpdate } from '../rooms/update-structure.ts'

/**
 * Which blocks an update would change if applied to `doc`: the keys of the `blocks` root map under which any of its
 * inserted items or deletions land. Pure: reads `doc`'s struct store, changes nothing.
 *
 * How an item is placed: a decoded item names its parent as a root name, as the ID of a parent item (whose content
 * is the parent type), or not at all (then its parent is its left/right origin's parent). Parents may be items of
 * the doc or items earlier in the same update. Walking up from there to the `blocks` root yields the block key.
 * Items whose parent can be found nowhere stay pending in Yjs (they would not integrate), so they touch nothing now;
 * when the missing parent arrives in a later update, that update is checked.
 */
export function touchedBlocks(doc: Y.Doc, decoded: DecodedUpdate): Set<string> {
  const { structs, deletes } = decoded
  const blocksRoot = doc.getMap(CANVAS_ROOTS.blocks)
  const touched = new Set<string>()

  /** Items of the update by client, for resolving parents introduced in the same update. */
  const incoming = new Map<number, DecodedItem[]>()
  for (const struct of structs) {
    if (struct.kind !== 'item') continue
    const list = incoming.get(struct.id.client)
    if (list === undefined) incoming.set(struct.id.client, [struct])
    else list.push(struct)
  }

  const findIncoming = (id: Y.ID): DecodedItem | null => {
    for (const item of incoming.get(id.client) ?? []) {
      if (id.clock >= item.id.clock && id.clock < item.id.clock + item.length) return item
    }
    return null
  }

  const findExisting = (id: Y.ID): Y.Item | null => {
    if (id.clock >= Y.getState(doc.store, id.client)) return null
    const struct = Y.getItem(doc.store, id)
    return struct instanceof Y.Item ? struct : null
  }

  /** Block key of an integrated item, or null when it is not inside `blocks`. */
  const blockOfIntegrated = (item: Y.Item): string | null => {
    let current: Y.Item | null = item
    for (let depth = 0; current !== null && depth < 10_000; depth++) {
      const parent: unknown = current.parent
      if (!(parent instanceof Y.AbstractType)) return null
      if (parent === blocksRoot) return current.parentSub
      current = parent._item
    }
    return null
  }

  /** Block key of an item of the update (a child of the type held by an item shares that item's block). */
  const blockOfDecoded = (item: DecodedItem, seen: Set<DecodedItem>): string | null => {
    if (seen.has(item)) return null
    seen.add(item)
    const parent = item.parent
    if (typeof parent === 'string') {
      return parent === CANVAS_ROOTS.blocks ? item.parentSub : null
    }
    if (parent instanceof Y.ID) {
      const existing = findExisting(parent)
      if (existing !== null) return blockOfIntegrated(existing)
      const decodedParent = findIncoming(parent)
      return decodedParent === null ? null : blockOfDecoded(decodedParent, seen)
    }
    // No explicit parent: it shares its parent (and map key) with its origin or right origin.
    for (const neighbourId of [item.origin, item.rightOrigin]) {
      if (neighbourId === null) continue
      const existing = findExisting(neighbourId)
      if (existing !== null) return blockOfIntegrated(existing)
      const decoded = findIncoming(neighbourId)
      if (decoded !== null) return blockOfDecoded(decoded, seen)
    }
    return null
  }

  for (const struct of structs) {
    if (struct.kind !== 'item') continue
    const block = blockOfDecoded(struct, new Set())
    if (block !== null) touched.add(block)
  }

  for (const [client, ranges] of deletes) {
    const known = Y.getState(doc.store, client)
    for (const range of ranges) {
      const end = Math.min(range.clock + range.len, known)
      let clock = range.clock
      while (clock < end) {
        const struct = Y.getItem(doc.store, Y.createID(client, clock))
        if (struct instanceof Y.Item) {
          const block = blockOfIntegrated(struct)
          if (block !== null) touched.add(block)
        }
        clock = struct.id.clock + struct.length
      }
    }
  }
  return touched
}
