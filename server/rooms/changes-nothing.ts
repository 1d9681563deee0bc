import * as Y from 'yjs'
import type { DecodedUpdate } from './inbound.ts'

/**
 * Whether applying `decoded` to `doc` would change nothing: every struct is already integrated and every deletion
 * already happened.
 *
 * Why it matters: a client that already holds the document answers the server's sync step 1 with an update that has
 * no new structs but the document's whole delete set (Yjs cannot diff delete sets by state vector). That happens on
 * every reconnect of a stock y-websocket provider (it keeps its Y.Doc across reconnects). Journaled and relayed, it
 * costs tens of KB per reconnect on a canvas with history; from a viewer it would be refused as an edit. Such an update is already durable and already relayed (the doc only holds what was
 * journaled), so dropping it is safe.
 *
 * Cost: O(1) for an update with a new struct (the common case, decided at its first struct); for a delete-only
 * update, one binary search per range plus a step per covered struct.
 */
export function changesNothing(doc: Y.Doc, decoded: DecodedUpdate): boolean {
  const store = doc.store
  for (const struct of decoded.structs) {
    if (struct.kind === 'skip') continue
    if (struct.id.clock + struct.length > Y.getState(store, struct.id.client)) return false
  }
  for (const [client, ranges] of decoded.deletes) {
    const known = Y.getState(store, client)
    const structs = store.clients.get(client)
    for (const range of ranges) {
      if (range.len === 0) continue
      const end = range.clock + range.len
      // A deletion of something we do not have yet is new (Yjs keeps it pending until the item arrives).
      if (structs === undefined || end > known) return false
      for (let index = Y.findIndexSS(structs, range.clock); index < structs.length; index++) {
        const struct = structs[index]
        if (struct === undefined || struct.id.clock >= end) break
        if (!struct.deleted) return false
      }
    }
  }
  return true
}
