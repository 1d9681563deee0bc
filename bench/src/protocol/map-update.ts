/**
 * Encodes, without a Y.Doc, the Yjs v1 update that `doc.getMap(map).set(key, value)` produces for a
 * client that only ever sets its own key: one ContentAny item (origin = its previous value) plus a
 * delete set removing the previous value. A Y.Doc costs ~40 µs per set, too much for a load
 * generator sending 20k updates/s from one core; this costs ~1 µs. `checkAgainstYjs` proves the
 * bytes equal Yjs' own output and runs once at every worker start.
 */
import * as encoding from 'lib0/encoding'
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness'
import * as Y from 'yjs'

const INFO_ORIGIN = 0x80
const INFO_PARENT_SUB = 0x20
const CONTENT_ANY = 8
const ANY_STRING = 119

export class MapSetEncoder {
  private readonly client: number
  private readonly map: string
  private readonly key: string
  private clock = 0

  constructor(client: number, map: string, key: string) {
    this.client = client
    this.map = map
    this.key = key
  }

  /** The update for the next `set(key, value)`. */
  next(value: string): Uint8Array {
    const enc = encoding.createEncoder()
    const clock = this.clock++
    encoding.writeVarUint(enc, 1) // one client
    encoding.writeVarUint(enc, 1) // one struct
    encoding.writeVarUint(enc, this.client)
    encoding.writeVarUint(enc, clock)
    if (clock === 0) {
      encoding.writeUint8(enc, CONTENT_ANY | INFO_PARENT_SUB)
      encoding.writeVarUint(enc, 1) // parent is a root type
      encoding.writeVarString(enc, this.map)
      encoding.writeVarString(enc, this.key)
    } else {
      encoding.writeUint8(enc, CONTENT_ANY | INFO_ORIGIN | INFO_PARENT_SUB)
      encoding.writeVarUint(enc, this.client)
      encoding.writeVarUint(enc, clock - 1)
    }
    encoding.writeVarUint(enc, 1) // one value
    encoding.writeUint8(enc, ANY_STRING)
    encoding.writeVarString(enc, value)
    if (clock === 0) {
      encoding.writeVarUint(enc, 0) // empty delete set
    } else {
      encoding.writeVarUint(enc, 1)
      encoding.writeVarUint(enc, this.client)
      encoding.writeVarUint(enc, 1)
      encoding.writeVarUint(enc, clock - 1)
      encoding.writeVarUint(enc, 1)
    }
    return encoding.toUint8Array(enc)
  }
}

/** Encodes awareness updates for one client (what y-protocols' encodeAwarenessUpdate writes). */
export class AwarenessEncoder {
  private readonly client: number
  private clock = 0

  constructor(client: number) {
    this.client = client
  }

  next(state: Record<string, unknown>): Uint8Array {
    const enc = encoding.createEncoder()
    encoding.writeVarUint(enc, 1)
    encoding.writeVarUint(enc, this.client)
    encoding.writeVarUint(enc, ++this.clock)
    encoding.writeVarString(enc, JSON.stringify(state))
    return encoding.toUint8Array(enc)
  }
}

const equal = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i])

/** Throws unless MapSetEncoder reproduces Yjs' bytes for the first `n` sets (clocks past 127 included). */
export const checkAgainstYjs = (n = 300): void => {
  const doc = new Y.Doc()
  doc.clientID = 123456789
  let last: Uint8Array | null = null
  doc.on('update', (u: Uint8Array) => {
    last = u
  })
  const mine = new MapSetEncoder(doc.clientID, 'm', 'k')
  for (let i = 0; i < n; i++) {
    const value = `@@T${i},1,${i};${'x'.repeat(i % 70)}`
    doc.getMap('m').set('k', value)
    const ours = mine.next(value)
    if (!last || !equal(last, ours)) throw new Error(`MapSetEncoder differs from Yjs at set #${i}`)
  }
  const replay = new Y.Doc()
  const again = new MapSetEncoder(7, 'm', 'k')
  for (let i = 0; i < n; i++) Y.applyUpdate(replay, again.next(`v${i}`))
  if (replay.getMap('m').get('k') !== `v${n - 1}`) throw new Error('MapSetEncoder updates do not replay')
  const awareness = new Awareness(doc)
  try {
    const encoder = new AwarenessEncoder(doc.clientID)
    for (let i = 0; i < 3; i++) {
      const state = { cursor: { x: i, y: 2 * i }, t: `@@T${i},1,${i};` }
      awareness.setLocalState(state)
      if (!equal(encodeAwarenessUpdate(awareness, [doc.clientID]), encoder.next(state))) {
        throw new Error(`AwarenessEncoder differs from y-protocols at update #${i}`)
      }
    }
  } finally {
    // Its check interval would otherwise keep a process that caught the error (a test runner) alive.
    awareness.destroy()
  }
  doc.destroy()
  replay.destroy()
}
