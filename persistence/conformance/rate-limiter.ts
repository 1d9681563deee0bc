import { randomUUID } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../test/support/wait.ts'
import type { RateDecision, RateLimiter } from '../ports.ts'

const LONG_WINDOW_MS = 60_000
const SHORT_WINDOW_MS = 500
const RESET_TIMEOUT_MS = 5_000

function refusedAfter(decision: RateDecision): number {
  if (decision.allowed) throw new Error(`expected a refusal, allowed with ${decision.remaining} remaining`)
  return decision.retryAfterMs
}

export function rateLimiterConformance(
  name: string,
  makeLimiter: () => Promise<RateLimiter>,
  teardown?: () => Promise<void>,
): void {
  const test = suite<{ limiter: RateLimiter; key: string }>(`RateLimiter conformance: ${name}`)

  test.before.each(async (context) => {
    context.limiter = await makeLimiter()
    context.key = `user-${randomUUID()}:canvas.open`
  })

  test.after.each(async (context) => {
    await context.limiter.close()
  })

  if (teardown !== undefined) test.after(teardown)

  test('allows `limit` hits, then refuses with retryAfterMs within the window', async ({ limiter, key }) => {
    const limit = 5
    for (let remaining = limit - 1; remaining >= 0; remaining--) {
      assert.equal(await limiter.hit(key, limit, LONG_WINDOW_MS), { allowed: true, remaining })
    }
    for (let i = 0; i < 3; i++) {
      const retryAfterMs = refusedAfter(await limiter.hit(key, limit, LONG_WINDOW_MS))
      assert.ok(retryAfterMs > 0 && retryAfterMs <= LONG_WINDOW_MS, `retryAfterMs ${retryAfterMs}`)
      assert.ok(Number.isInteger(retryAfterMs), 'retryAfterMs is whole milliseconds')
    }
  })

  test('the window resets', async ({ limiter, key }) => {
    const limit = 2
    await limiter.hit(key, limit, SHORT_WINDOW_MS)
    await limiter.hit(key, limit, SHORT_WINDOW_MS)
    const retryAfterMs = refusedAfter(await limiter.hit(key, limit, SHORT_WINDOW_MS))
    assert.ok(retryAfterMs > 0 && retryAfterMs <= SHORT_WINDOW_MS, `retryAfterMs ${retryAfterMs}`)
    const fresh = await waitFor(
      'window reset',
      async () => {
        const decision = await limiter.hit(key, limit, SHORT_WINDOW_MS)
        return decision.allowed ? decision : undefined
      },
      RESET_TIMEOUT_MS,
    )
    // Polling only ever counted the allowed hit: the new window has one hit in it.
    assert.equal(fresh, { allowed: true, remaining: limit - 1 })
  })

  test('refused hits do not count', async ({ limiter, key }) => {
    const limit = 3
    await limiter.hit(key, limit, LONG_WINDOW_MS, 3)
    for (let i = 0; i < 5; i++) refusedAfter(await limiter.hit(key, limit, LONG_WINDOW_MS))
    const other = `${key}:other`
    await limiter.hit(other, limit, LONG_WINDOW_MS, 2)
    refusedAfter(await limiter.hit(other, limit, LONG_WINDOW_MS, 2))
    assert.equal(await limiter.hit(other, limit, LONG_WINDOW_MS, 1), { allowed: true, remaining: 0 })
  })

  test('keys are independent', async ({ limiter, key }) => {
    const limit = 1
    assert.equal(await limiter.hit(key, limit, LONG_WINDOW_MS), { allowed: true, remaining: 0 })
    refusedAfter(await limiter.hit(key, limit, LONG_WINDOW_MS))
    assert.equal(await limiter.hit(`${key}:b`, limit, LONG_WINDOW_MS), { allowed: true, remaining: 0 })
    assert.equal(await limiter.hit(`user-${randomUUID()}:x`, limit, LONG_WINDOW_MS), {
      allowed: true,
      remaining: 0,
    })
  })

  test('cost counts several units at once', async ({ limiter, key }) => {
    const limit = 10
    assert.equal(await limiter.hit(key, limit, LONG_WINDOW_MS, 4), { allowed: true, remaining: 6 })
    assert.equal(await limiter.hit(key, limit, LONG_WINDOW_MS, 4), { allowed: true, remaining: 2 })
    refusedAfter(await limiter.hit(key, limit, LONG_WINDOW_MS, 4))
    assert.equal(await limiter.hit(key, limit, LONG_WINDOW_MS, 2), { allowed: true, remaining: 0 })
    refusedAfter(await limiter.hit(key, limit, LONG_WINDOW_MS, 1))
  })

  test('concurrent hits never exceed the limit', async ({ limiter, key }) => {
    const limit = 7
    const decisions = await Promise.all(
      Array.from({ length: 30 }, () => limiter.hit(key, limit, LONG_WINDOW_MS)),
    )
    assert.is(decisions.filter((d) => d.allowed).length, limit)
    assert.equal(
      decisions
        .filter((d) => d.allowed)
        .map((d) => (d.allowed ? d.remaining : -1))
        .sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6],
    )
  })

  test('rejects invalid arguments', async ({ limiter, key }) => {
    const invalid: Array<[number, number, number]> = [
      [0, LONG_WINDOW_MS, 1],
      [5, 0, 1],
      [5, LONG_WINDOW_MS, 0],
      [5, LONG_WINDOW_MS, 6],
      [1.5, LONG_WINDOW_MS, 1],
      [5, LONG_WINDOW_MS, -1],
    ]
    for (const [limit, windowMs, cost] of invalid) {
      let rejected = false
      await limiter.hit(key, limit, windowMs, cost).catch((error: unknown) => {
        rejected = error instanceof RangeError
      })
      assert.ok(rejected, `hit(${limit}, ${windowMs}, ${cost}) must be rejected with a RangeError`)
    }
  })

  test.run()
}
