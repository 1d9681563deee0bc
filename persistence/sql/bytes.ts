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
