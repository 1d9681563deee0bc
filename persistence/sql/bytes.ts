import { type RawBuilder, sql } from 'kysely'

/** bytea is a Buffer from pg and a Uint8Array from PGlite: callers always get a plain Uint8Array view. */
export function toPlainBytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${what}: expected bytea as a Uint8Array`)
  if (Object.getPrototypeOf(value) === Uint8Array.prototype) return value
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
}

/** PostgreSQL unique_violation (SQLSTATE 23505), as pg and PGlite both report it. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505'
}

/** Seqs and counts read back (pg parses int8 to number, see connect.ts; PGlite returns numbers): checked anyway. */
export function toNonNegativeInteger(value: unknown, what: string): number {
  const number = Number(value)
  if (!Number.isSafeInteger(number) || number < 0) {
    throw new Error(`invalid ${what} from database: ${String(value)}`)
  }
  return number
}

/**
 * A bytea column selected as base64 text, for large values read on hot paths (canvas states, version keyframes).
 * PGlite turns bytea results into bytes in JavaScript at ~80 ns per byte (85 ms for a 1 MB canvas state, measured);
 * `encode(..., 'base64')` in the database and Buffer's native decoder take ~5 ms for the same. PostgreSQL is as
 * fast either way. The text carries line breaks every 76 characters, which Buffer's decoder skips.
 */
export function byteaAsBase64(column: string): RawBuilder<string | null> {
  return sql<string | null>`encode(${sql.ref(column)}, 'base64')`
}

export function fromBase64(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string') throw new TypeError(`${what}: expected base64 text`)
  const buffer = Buffer.from(value, 'base64')
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

/**
 * Bytes to store in a bytea column, sent as base64 text and decoded by the database: PGlite serializes bytea
 * parameters in JavaScript even more slowly than it parses results (a 200 KB canvas state took ~75 ms of the event
 * loop per compaction in bench S7, 30 % of the server's CPU). Base64 is Buffer's native encoder.
 */
export function byteaFromBase64(bytes: Uint8Array): RawBuilder<Uint8Array> {
  const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
  return sql<Uint8Array>`decode(${base64}, 'base64')`
}
