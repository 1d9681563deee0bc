/** Canonical lower-case UUID, the form PostgreSQL prints: ids stay comparable with the SQL adapter's. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * String ids are compared byte for byte in MongoDB, so 'ABC…' and 'abc…' would be two canvases: reject anything
 * but the canonical form before any I/O (the SQL adapter enforces the same contract).
 */
export function assertUuid(value: string, what: string): void {
  if (typeof value !== 'string' || !CANONICAL_UUID.test(value)) {
    throw new TypeError(`${what} must be a lower-case UUID, got ${JSON.stringify(value)}`)
  }
}

export function assertSeqArgument(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${String(value)}`)
  }
}

/** Seqs and counts read back from BSON (int32, int64 promoted to number, or double). */
export function toNonNegativeInteger(value: unknown, what: string): number {
  const number = Number(value)
  if (!Number.isSafeInteger(number) || number < 0) {
    throw new Error(`invalid ${what} stored in MongoDB: ${String(value)}`)
  }
  return number
}
