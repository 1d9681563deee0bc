/**
 * Send timestamps carried inside Yjs content (a map value or an awareness field), so a receiver
 * computes fan-out latency from the update itself without extra messages.
 *
 * A stamp is the ASCII text `@@T<micros>,<sender>,<seq>;` where micros is wall-clock microseconds
 * (performance.timeOrigin + performance.now()), comparable between processes on one machine.
 * Receivers find stamps by scanning the received frame for the marker; every server re-encodes
 * the update, but a Yjs string stays a contiguous UTF-8 run, so the marker survives.
 */
const MARKER = Buffer.from('@@T', 'latin1')
const COMMA = 0x2c
const SEMI = 0x3b

/** Wall-clock time in microseconds, comparable across processes on this machine. */
export const nowMicros = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000)

export const makeStamp = (micros: number, sender: number, seq: number): string =>
  `@@T${micros},${sender},${seq};`

export interface Stamp {
  readonly micros: number
  readonly sender: number
  readonly seq: number
}

const readInt = (buf: Uint8Array, start: number, end: number): number => {
  let n = 0
  for (let i = start; i < end; i++) {
    const c = buf[i]!
    if (c < 0x30 || c > 0x39) return -1
    n = n * 10 + (c - 0x30)
  }
  return end > start ? n : -1
}

/**
 * Calls `onStamp` for every well-formed stamp in `buf` from `offset` on; returns how many were found.
 * A stamp's fields end at the first `;` after its marker, so a malformed or cut-off stamp (one without both commas
 * before that `;`) never borrows fields from the stamp after it; the scan goes on from just past its marker.
 */
export const scanStamps = (buf: Buffer, offset: number, onStamp: (s: Stamp) => void): number => {
  let found = 0
  let at = buf.indexOf(MARKER, offset)
  while (at !== -1) {
    const start = at + MARKER.length
    const end = buf.indexOf(SEMI, start)
    if (end === -1) return found
    const c1 = buf.indexOf(COMMA, start)
    const c2 = c1 === -1 || c1 > end ? -1 : buf.indexOf(COMMA, c1 + 1)
    if (c2 === -1 || c2 > end) {
      at = buf.indexOf(MARKER, start)
      continue
    }
    const micros = readInt(buf, start, c1)
    const sender = readInt(buf, c1 + 1, c2)
    const seq = readInt(buf, c2 + 1, end)
    if (micros >= 0 && sender >= 0 && seq >= 0) {
      onStamp({ micros, sender, seq })
      found++
      at = buf.indexOf(MARKER, end + 1)
    } else {
      at = buf.indexOf(MARKER, start)
    }
  }
  return found
}
