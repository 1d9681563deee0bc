import * as encoding from 'lib0/encoding'
import { MessageType } from '../../shared/protocol.ts'

/** A raw awareness frame, as a (possibly hostile) client would send it. */
export function awarenessFrame(
  entries: Array<{ clientId: number; clock: number; state: unknown }>,
): Uint8Array {
  const inner = encoding.createEncoder()
  encoding.writeVarUint(inner, entries.length)
  for (const entry of entries) {
    encoding.writeVarUint(inner, entry.clientId)
    encoding.writeVarUint(inner, entry.clock)
    encoding.writeVarString(inner, JSON.stringify(entry.state))
  }
  const outer = encoding.createEncoder()
  encoding.writeVarUint(outer, MessageType.Awareness)
  encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner))
  return encoding.toUint8Array(outer)
}
