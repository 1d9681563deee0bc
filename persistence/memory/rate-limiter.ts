import type { RateDecision, RateLimiter } from '../ports.ts'
import { assertRateArgs } from './validate.ts'

/** Above this many tracked keys, a hit first drops every window that already ended (bounds memory, no timers). */
const PRUNE_THRESHOLD = 10_000

interface Window {
  count: number
  /** Epoch ms when the window ends and the count resets. */
  resetAt: number
}

export interface MemoryRateLimiterOptions {
  /** Clock in epoch ms (tests may inject one); default Date.now. */
  readonly now?: () => number
}

/**
 * Fixed-window counters, the same algorithm as the Redis adapter: the window starts with the first hit and lasts
 * `windowMs`. A refused hit does not count, so a caller hammering a closed window does not lengthen it.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, Window>()
  private readonly now: () => number

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.now = options.now ?? Date.now
  }

  async hit(key: string, limit: number, windowMs: number, cost = 1): Promise<RateDecision> {
    assertRateArgs(limit, windowMs, cost)
    const now = this.now()
    if (this.windows.size > PRUNE_THRESHOLD) this.prune(now)
    let window = this.windows.get(key)
    if (window === undefined || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs }
      this.windows.set(key, window)
    }
    if (window.count + cost > limit) return { allowed: false, retryAfterMs: window.resetAt - now }
    window.count += cost
    return { allowed: true, remaining: limit - window.count }
  }

  async close(): Promise<void> {
    this.windows.clear()
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.resetAt <= now) this.windows.delete(key)
    }
  }
}
