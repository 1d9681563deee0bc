/**
 * A token bucket: holds up to `capacity` tokens, refilled continuously at `ratePerSecond`. `take(n)` spends n
 * tokens if available. Time comes from a monotonic clock (performance.now) so wall-clock jumps change nothing.
 */
/** Shared by every bucket (a default written inline would be a new closure per bucket, two per connection). */
const monotonicNow = (): number => performance.now()

export class TokenBucket {
  // Declared with numbers, not left to the constructor: a class field without an initializer is first defined as
  // undefined (ES2022 class fields), so V8 would keep these as tagged fields and allocate a heap number on every
  // take(), one per message per connection, each living until that connection's next message.
  private tokens = 0
  private last = 0

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
    private readonly now: () => number = monotonicNow,
  ) {
    if (!(ratePerSecond > 0) || !(capacity > 0)) {
      throw new RangeError(`token bucket needs a positive rate and capacity (${ratePerSecond}, ${capacity})`)
    }
    this.tokens = capacity
    this.last = now()
  }

  /** Spends `amount` tokens; false (spending nothing) when fewer are available. */
  take(amount: number): boolean {
    const now = this.now()
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond)
    this.last = now
    if (amount > this.tokens) return false
    this.tokens -= amount
    return true
  }
}
