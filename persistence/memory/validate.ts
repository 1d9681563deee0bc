/** Argument checks shared by the in-process and Redis adapters, so both reject the same inputs the same way. */

/** Throws RangeError unless `value` is a positive safe integer (TTLs, windows, limits, costs in ms or units). */
export function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`)
  }
}

/** Checks the arguments of RateLimiter.hit; a cost above the limit could never be allowed, so it is a caller bug. */
export function assertRateArgs(limit: number, windowMs: number, cost: number): void {
  assertPositiveInteger('limit', limit)
  assertPositiveInteger('windowMs', windowMs)
  assertPositiveInteger('cost', cost)
  if (cost > limit) throw new RangeError(`cost ${cost} exceeds limit ${limit}: it could never be allowed`)
}
