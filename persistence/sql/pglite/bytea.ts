import { types } from '@electric-sql/pglite'

/**
 * bytea in PostgreSQL's text format ("\x" and two hex digits per byte) through Buffer's native hex codec. PGlite's
 * own codec converts each byte in JavaScript (about 80 ns per byte: 85 ms for a 1 MB canvas state, measured), which
 * is why reads once selected `encode(data, 'base64')`. That text then crossed to the event loop as a string as
 * large as the state, and large strings are allocated straight in the old generation: bench S10 (a version's
 * keyframe per request) made the loop's heap grow ~25 MB/s and run a mark-compact every 300 ms, 25-45 ms of
 * marking each on the pinned core. Bytes parsed here cross as an ArrayBuffer, outside the JavaScript heap.
 */

const HEX_PREFIX = '\\x'

/**
 * A bytea column's text as bytes in an ArrayBuffer of their own (never Buffer's shared pool), so the reply to the
 * loop can transfer it instead of copying it (see `transferableBuffers`).
 */
export function parseHexBytea(text: string): Uint8Array<ArrayBuffer> {
  if (!text.startsWith(HEX_PREFIX)) throw new TypeError('bytea: expected hex output (bytea_output = hex)')
  const digits = text.length - HEX_PREFIX.length
  if (digits % 2 !== 0) throw new TypeError('bytea: odd number of hex digits')
  const bytes = Buffer.allocUnsafeSlow(digits / 2)
  const written = bytes.write(text.substring(HEX_PREFIX.length), 'hex')
  if (written !== bytes.length) throw new TypeError('bytea: invalid hex digit')
  return new Uint8Array(bytes.buffer, 0, written)
}

/** A bytea parameter as PostgreSQL's hex text. */
export function serializeHexBytea(value: unknown): string {
  if (!(value instanceof Uint8Array)) throw new TypeError('bytea parameter: expected a Uint8Array')
  return HEX_PREFIX + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')
}

/** PGlite options: its bytea codec replaced by the native one above. */
export const nativeByteaCodec = Object.freeze({
  parsers: { [types.BYTEA]: parseHexBytea },
  serializers: { [types.BYTEA]: serializeHexBytea },
})

/**
 * The ArrayBuffers of the rows' byte values that can move to the other thread: those each value has to itself
 * (what `parseHexBytea` returns). A view into a shared buffer is left to be copied, so nothing else is detached.
 */
export function transferableBuffers(rows: readonly unknown[]): ArrayBuffer[] {
  // A Set: a buffer listed twice would make postMessage throw.
  const buffers = new Set<ArrayBuffer>()
  for (const row of rows) {
    if (typeof row !== 'object' || row === null) continue
    for (const value of Object.values(row)) {
      if (!(value instanceof Uint8Array)) continue
      const { buffer } = value
      if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength)
        buffers.add(buffer)
    }
  }
  return [...buffers]
}
