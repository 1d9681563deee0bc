import * as Y from 'yjs'

/**
 * Cuts the link from each Item a transaction merged away (or replaced by a GC struct) to the Item that followed it,
 * so a long-lived Y.Doc stops promoting all its edits into the old generation.
 *
 * Why: when a deleted Item merges into its left neighbour (Yjs does this at the end of every transaction), the
 * absorbed Item leaves the document but keeps its `right` pointer to the next Item. Once such a dead Item sits in
 * the old generation, V8's young-generation collector treats that pointer as a root (it cannot know the old object
 * is dead), so the next Item survives, is promoted, dies, and holds the one after it the same way: a chain through
 * every later edit of that sequence until a full collection. With S2's load (each client overwriting its own map
 * key) this promoted about 190 bytes per update: a mark-compact every 2 s at 18,000 updates/s, with pauses of
 * 5-37 ms. Cutting the link: 3.5 -> 0.5 MB/s promoted, no mark-compact in the same run.
 *
 * Invariant that makes this safe: only Items that were deleted in the transaction and are no longer in the store
 * after its cleanup are touched. Yjs has moved every reference the document held to them (map entries, search
 * markers, the neighbours' `left`) onto the Item that absorbed them, so nothing reachable from the document reads
 * them again. Rooms keep no observers or undo managers that could hold one.
 */
export function unlinkMergedItems(doc: Y.Doc): void {
  // Filled in [0, count) and emptied by overwriting, so the long-lived array keeps its backing store.
  const deleted: (Y.Item | undefined)[] = []
  let count = 0
  // Listeners written as arguments, not named constants: a named one costs each room ~256 bytes more under tsx
  // (README, "Per-instance callbacks").
  // Before the cleanup merges anything: every Item in the transaction's delete set is still in the store.
  doc.on('afterTransaction', (transaction: Y.Transaction): void => {
    const clients = transaction.doc.store.clients
    for (const [client, ranges] of transaction.deleteSet.clients) {
      const structs = clients.get(client)
      const last = structs?.at(-1)
      if (structs === undefined || last === undefined) continue
      const end = last.id.clock + last.length
      for (const range of ranges) {
        if (range.clock >= end) continue
        for (let i = Y.findIndexSS(structs, range.clock); i < structs.length; i++) {
          const struct = structs[i]
          if (struct === undefined || struct.id.clock >= range.clock + range.len) break
          if (struct instanceof Y.Item) deleted[count++] = struct
        }
      }
    }
  })
  // After the cleanup: an Item whose clock now resolves to another struct was merged away or replaced.
  doc.on('afterTransactionCleanup', (transaction: Y.Transaction): void => {
    const store = transaction.doc.store
    for (let i = 0; i < count; i++) {
      const item = deleted[i]
      deleted[i] = undefined
      if (item !== undefined && Y.getItem(store, item.id) !== item) item.right = null
    }
    count = 0
  })
}
