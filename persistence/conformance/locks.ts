import { randomUUID } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../test/support/wait.ts'
import type { BlockLease, LockManager, LockResult } from '../ports.ts'

const LONG_TTL_MS = 60_000
const SHORT_TTL_MS = 500
const EXPIRY_TIMEOUT_MS = 5_000
const CONTENDERS = 20
const TOKEN_PATTERN = /^[0-9a-f]{32}$/
/** Slack for expiresAt, which adapters may compute from their store's clock. */
const CLOCK_SLACK_MS = 5_000

function won(result: LockResult): BlockLease {
  if (!result.ok) throw new Error(`expected to acquire, held by ${result.heldBy.userId}`)
  return result.lease
}

function lost(result: LockResult): BlockLease {
  if (result.ok) throw new Error(`expected to be refused, acquired by ${result.lease.userId}`)
  return result.heldBy
}

export function lockConformance(
  name: string,
  makeLocks: () => Promise<LockManager>,
  teardown?: () => Promise<void>,
): void {
  const test = suite<{ locks: LockManager; canvasId: string }>(`LockManager conformance: ${name}`)

  test.before.each(async (context) => {
    context.locks = await makeLocks()
    context.canvasId = randomUUID()
  })

  test.after.each(async (context) => {
    await context.locks.close()
  })

  if (teardown !== undefined) test.after(teardown)

  test('acquire on a free block returns a fresh lease', async ({ locks, canvasId }) => {
    const before = Date.now()
    const lease = won(await locks.acquire(canvasId, 'block-1', 'alice', LONG_TTL_MS))
    assert.is(lease.canvasId, canvasId)
    assert.is(lease.blockId, 'block-1')
    assert.is(lease.userId, 'alice')
    assert.match(lease.token, TOKEN_PATTERN)
    assert.ok(Number.isSafeInteger(lease.fence) && lease.fence > 0, `fence ${lease.fence}`)
    assert.instance(lease.expiresAt, Date)
    const expected = before + LONG_TTL_MS
    assert.ok(Math.abs(lease.expiresAt.getTime() - expected) < CLOCK_SLACK_MS, 'expiresAt is about now + ttl')
    assert.equal(await locks.list(canvasId), [lease])
  })

  test('of concurrent acquirers exactly one wins; the others see the winner', async ({ locks, canvasId }) => {
    const users = Array.from({ length: CONTENDERS }, (_, i) => `user-${i}`)
    const results = await Promise.all(
      users.map((user) => locks.acquire(canvasId, 'contested', user, LONG_TTL_MS)),
    )
    const winners = results.filter((r) => r.ok)
    assert.is(winners.length, 1)
    const winner = won(winners[0]!)
    for (const result of results) {
      if (!result.ok) assert.equal(result.heldBy, winner)
    }
    assert.equal(await locks.list(canvasId), [winner])
  })

  test('a user re-acquiring its own live lease renews it', async ({ locks, canvasId }) => {
    const first = won(await locks.acquire(canvasId, 'b', 'alice', SHORT_TTL_MS))
    const again = won(await locks.acquire(canvasId, 'b', 'alice', LONG_TTL_MS))
    assert.is(again.token, first.token)
    assert.is(again.fence, first.fence)
    assert.ok(again.expiresAt.getTime() > first.expiresAt.getTime(), 'expiry extended')
    assert.equal(lost(await locks.acquire(canvasId, 'b', 'bob', LONG_TTL_MS)), again)
  })

  test('renew extends a lease held by the token', async ({ locks, canvasId }) => {
    const lease = won(await locks.acquire(canvasId, 'b', 'alice', SHORT_TTL_MS))
    const renewed = await locks.renew(canvasId, 'b', lease.token, LONG_TTL_MS)
    assert.ok(renewed !== null)
    assert.is(renewed.token, lease.token)
    assert.is(renewed.fence, lease.fence)
    assert.is(renewed.userId, 'alice')
    assert.ok(renewed.expiresAt.getTime() > lease.expiresAt.getTime(), 'expiry extended')
    // Still held well after the original short TTL would have ended.
    await locks.acquire(canvasId, 'probe', 'probe', SHORT_TTL_MS)
    await waitFor(
      'probe expiry',
      async () => ((await locks.list(canvasId)).some((l) => l.blockId === 'probe') ? undefined : true),
      EXPIRY_TIMEOUT_MS,
    )
    assert.equal(
      (await locks.list(canvasId)).map((l) => l.blockId),
      ['b'],
    )
  })

  test('renew with a wrong token, on a free block, or after expiry returns null', async ({
    locks,
    canvasId,
  }) => {
    const lease = won(await locks.acquire(canvasId, 'b', 'alice', SHORT_TTL_MS))
    assert.is(await locks.renew(canvasId, 'b', 'f'.repeat(32), LONG_TTL_MS), null)
    assert.is(await locks.renew(canvasId, 'free', lease.token, LONG_TTL_MS), null)
    assert.is(await locks.renew(randomUUID(), 'b', lease.token, LONG_TTL_MS), null)
    await waitFor(
      'lease expiry',
      async () => ((await locks.list(canvasId)).length === 0 ? true : undefined),
      EXPIRY_TIMEOUT_MS,
    )
    assert.is(await locks.renew(canvasId, 'b', lease.token, LONG_TTL_MS), null)
  })

  test('an old token cannot renew or release a lease taken over by another user', async ({
    locks,
    canvasId,
  }) => {
    const old = won(await locks.acquire(canvasId, 'b', 'alice', SHORT_TTL_MS))
    const next = await waitFor(
      'takeover after expiry',
      async () => {
        const result = await locks.acquire(canvasId, 'b', 'bob', LONG_TTL_MS)
        return result.ok ? result.lease : undefined
      },
      EXPIRY_TIMEOUT_MS,
    )
    assert.is(await locks.renew(canvasId, 'b', old.token, LONG_TTL_MS), null)
    assert.is(await locks.release(canvasId, 'b', old.token), false)
    assert.equal(await locks.list(canvasId), [next])
  })

  test('release by token frees the block; wrong or repeated release returns false', async ({
    locks,
    canvasId,
  }) => {
    const lease = won(await locks.acquire(canvasId, 'b', 'alice', LONG_TTL_MS))
    assert.is(await locks.release(canvasId, 'b', 'f'.repeat(32)), false)
    assert.equal(await locks.list(canvasId), [lease])
    assert.is(await locks.release(canvasId, 'b', lease.token), true)
    assert.is(await locks.release(canvasId, 'b', lease.token), false)
    assert.equal(await locks.list(canvasId), [])
    won(await locks.acquire(canvasId, 'b', 'bob', LONG_TTL_MS))
  })

  test('forceRelease removes and returns any lease', async ({ locks, canvasId }) => {
    const lease = won(await locks.acquire(canvasId, 'b', 'alice', LONG_TTL_MS))
    assert.equal(await locks.forceRelease(canvasId, 'b'), lease)
    assert.is(await locks.forceRelease(canvasId, 'b'), null)
    assert.is(await locks.renew(canvasId, 'b', lease.token, LONG_TTL_MS), null)
    won(await locks.acquire(canvasId, 'b', 'bob', LONG_TTL_MS))
  })

  test("releaseAllForUser releases that user's leases on that canvas only", async ({ locks, canvasId }) => {
    const otherCanvas = randomUUID()
    const mine = [
      won(await locks.acquire(canvasId, 'b1', 'alice', LONG_TTL_MS)),
      won(await locks.acquire(canvasId, 'b2', 'alice', LONG_TTL_MS)),
      won(await locks.acquire(canvasId, 'b3', 'alice', LONG_TTL_MS)),
    ]
    const bobs = won(await locks.acquire(canvasId, 'b4', 'bob', LONG_TTL_MS))
    const elsewhere = won(await locks.acquire(otherCanvas, 'b1', 'alice', LONG_TTL_MS))
    const released = await locks.releaseAllForUser(canvasId, 'alice')
    const byBlock = (a: BlockLease, b: BlockLease) => a.blockId.localeCompare(b.blockId)
    assert.equal([...released].sort(byBlock), mine)
    assert.equal(await locks.list(canvasId), [bobs])
    assert.equal(await locks.list(otherCanvas), [elsewhere])
    assert.equal(await locks.releaseAllForUser(canvasId, 'alice'), [])
  })

  test('leases expire after their TTL and the block can be taken', async ({ locks, canvasId }) => {
    const lease = won(await locks.acquire(canvasId, 'b', 'alice', SHORT_TTL_MS))
    assert.equal(lost(await locks.acquire(canvasId, 'b', 'bob', LONG_TTL_MS)), lease)
    const taken = await waitFor(
      'expiry',
      async () => {
        const result = await locks.acquire(canvasId, 'b', 'bob', LONG_TTL_MS)
        return result.ok ? result.lease : undefined
      },
      EXPIRY_TIMEOUT_MS,
    )
    assert.is(taken.userId, 'bob')
    assert.is.not(taken.token, lease.token)
    assert.is(await locks.forceRelease(randomUUID(), 'b'), null)
  })

  test('fences strictly increase across acquisitions of a block', async ({ locks, canvasId }) => {
    const fences: number[] = []
    const first = won(await locks.acquire(canvasId, 'b', 'alice', LONG_TTL_MS))
    fences.push(first.fence)
    await locks.release(canvasId, 'b', first.token)
    const second = won(await locks.acquire(canvasId, 'b', 'bob', LONG_TTL_MS))
    fences.push(second.fence)
    await locks.forceRelease(canvasId, 'b')
    const third = won(await locks.acquire(canvasId, 'b', 'alice', SHORT_TTL_MS))
    fences.push(third.fence)
    const fourth = await waitFor(
      'expiry',
      async () => {
        const result = await locks.acquire(canvasId, 'b', 'carol', LONG_TTL_MS)
        return result.ok ? result.lease : undefined
      },
      EXPIRY_TIMEOUT_MS,
    )
    fences.push(fourth.fence)
    // Another block's acquisitions do not break the order.
    won(await locks.acquire(canvasId, 'other', 'dave', LONG_TTL_MS))
    await locks.releaseAllForUser(canvasId, 'carol')
    fences.push(won(await locks.acquire(canvasId, 'b', 'erin', LONG_TTL_MS)).fence)
    for (let i = 1; i < fences.length; i++) {
      assert.ok((fences[i] ?? 0) > (fences[i - 1] ?? 0), `fences not increasing: ${fences.join(', ')}`)
    }
  })

  test('list shows live leases of the canvas only', async ({ locks, canvasId }) => {
    const a = won(await locks.acquire(canvasId, 'a', 'alice', LONG_TTL_MS))
    const b = won(await locks.acquire(canvasId, 'b', 'bob', LONG_TTL_MS))
    await locks.acquire(canvasId, 'c', 'carol', SHORT_TTL_MS)
    await locks.acquire(randomUUID(), 'x', 'alice', LONG_TTL_MS)
    const listed = await waitFor(
      'short lease expiry',
      async () => {
        const leases = await locks.list(canvasId)
        return leases.length === 2 ? leases : undefined
      },
      EXPIRY_TIMEOUT_MS,
    )
    assert.equal(
      [...listed].sort((x, y) => x.blockId.localeCompare(y.blockId)),
      [a, b],
    )
    assert.equal(await locks.list(randomUUID()), [])
  })

  test('rejects a non-positive or fractional TTL', async ({ locks, canvasId }) => {
    for (const ttl of [0, -5, 2.5]) {
      let rejected = false
      await locks.acquire(canvasId, 'b', 'alice', ttl).catch((error: unknown) => {
        rejected = error instanceof RangeError
      })
      assert.ok(rejected, `ttl ${ttl} must be rejected with a RangeError`)
    }
  })

  test.run()
}
