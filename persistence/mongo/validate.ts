/** Seqs and counts read back from BSON (int32, int64 promoted to number, or double). */
export function toNonNegativeInteger(value: unknown, what: string): number {
  const number = Number(value)
  if (!Number.isSafeInteger(number) || number < 0) {
    throw new Error(`invalid ${what} stored in MongoDB: ${String(value)}`)
  }
  return number
}
