import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createTestRedis } from '../../test/support/services.ts'
import { waitFor } from '../../test/support/wait.ts'
import { redisKeys } from './keys.ts'
import { RedisLockManager } from './locks.ts'
import { RedisPresenceStore } from './presence.ts'
import { RedisRateLimiter } from './rate-limiter.ts'
import { RedisSessionStore } from './session-store.ts'
import { deleteKeysWithPrefix } from './testing.ts'

const LONG_TTL_MS = 60_000
const SHORT_TTL_MS = 200

const keyLayout = suite('Redis key layout')
keyLayout('per-canvas keys share the canvas id as hash tag; prefix goes first', () => {
  const keys = redisKeys('p:')
  assert.is(keys.presence('c1'), 'p:canvas:presence:{c1}')
  assert.is(keys.locks('c1'), 'p:canvas:locks:{c1}')
  assert.is(keys.lockFence('c1'), 'p:canvas:lockfence:{c1}')
  assert.is(keys.busCanvas('c1'), 'p:canvas:bus:{c1}')
  assert.is(keys.session('abc'), 'p:session:abc')
  assert.is(keys.userSessions('u1'), 'p:user_sessions:{u1}')
  assert.is(keys.rateLimit('u1:open'), 'p:rate_limit:u1:open')
})
keyLayout.run()

const redis = await createTestRedis()
if (redis !== null) {
  const test = suite('Redis adapters: stored layout')
  const admin = new Redis(redis.url)
  const keys = redisKeys(redis.prefix)
  const options = { redis: admin, prefix: redis.prefix }

  test.after(async () => {
    await deleteKeysWithPrefix(redis.url, redis.prefix)
    await admin.quit()
  })

  test('presence: one hash field per connection, rolling key TTL, lazy deletion of dead and unreadable fields', async () => {
    const presence = new RedisPresenceStore(options)
    const canvasId = randomUUID()
    const key = keys.presence(canvasId)
    await presence.upsert(
      canvasId,
      'dead',
      { userId: 'u1', displayName: 'U', cursor: null, selection: null },
      SHORT_TTL_MS,
    )
    await presence.upsert(
      canvasId,
      'live',
      { userId: 'u2', displayName: 'V', cursor: { x: 1 }, selection: null },
      LONG_TTL_MS,
    )
    await admin.hset(key, 'garbage', 'not json')
    const live = JSON.parse((await admin.hget(key, 'live')) ?? 'null') as Record<string, unknown>
    assert.equal(Object.keys(live).sort(), [
      'cursor',
      'displayName',
      'expiresAt',
      'lastSeen',
      'selection',
      'userId',
    ])
    const ttl = await admin.pttl(key)
    assert.ok(ttl > SHORT_TTL_MS && ttl <= LONG_TTL_MS, `key TTL follows the longest entry, got ${ttl}`)

    const warnings: string[] = []
    const logged = new RedisPresenceStore({
      ...options,
      logger: { warn: (_, m) => warnings.push(m), error: (_, m) => warnings.push(m) },
    })
    await waitFor('dead field deleted', async () => {
      await logged.list(canvasId)
      return (await admin.hexists(key, 'dead')) === 0 ? true : undefined
    })
    assert.equal((await admin.hkeys(key)).sort(), ['live'])
    assert.ok(warnings.includes('deleting unreadable presence entry'))
    await presence.remove(canvasId, 'live')
    assert.is(await admin.exists(key), 0, 'an empty hash is gone')
    await Promise.all([presence.close(), logged.close()])
  })

  test('locks: lease hash with key TTL and a persistent fence counter', async () => {
    const locks = new RedisLockManager(options)
    const canvasId = randomUUID()
    const result = await locks.acquire(canvasId, 'block', 'u1', LONG_TTL_MS)
    assert.ok(result.ok)
    assert.equal(await admin.hkeys(keys.locks(canvasId)), ['block'])
    const ttl = await admin.pttl(keys.locks(canvasId))
    assert.ok(ttl > 0 && ttl <= LONG_TTL_MS, `lease hash TTL ${ttl}`)
    assert.is(await admin.get(keys.lockFence(canvasId)), String(result.lease.fence))
    assert.is(await admin.pttl(keys.lockFence(canvasId)), -1, 'the fence never expires')
    // A corrupt field counts as free and is overwritten.
    await admin.hset(keys.locks(canvasId), 'corrupt', '{"userId":1}')
    const taken = await locks.acquire(canvasId, 'corrupt', 'u2', LONG_TTL_MS)
    assert.ok(taken.ok && taken.lease.fence > result.lease.fence)
    await locks.close()
  })

  test('sessions: session key expires at expiresAt; user index set follows the latest session', async () => {
    const sessions = new RedisSessionStore(options)
    const userId = randomUUID()
    const now = Date.now()
    const hours = (n: number) => new Date(now + n * 3_600_000)
    await sessions.create({
      tokenHash: 'h1',
      userId,
      organizationId: 'o',
      createdAt: new Date(now),
      expiresAt: hours(2),
    })
    await sessions.create({
      tokenHash: 'h2',
      userId,
      organizationId: 'o',
      createdAt: new Date(now),
      expiresAt: hours(24),
    })
    await sessions.create({
      tokenHash: 'h3',
      userId,
      organizationId: 'o',
      createdAt: new Date(now),
      expiresAt: hours(1),
    })
    assert.is(await admin.pexpiretime(keys.session('h1')), hours(2).getTime())
    assert.is(await admin.pexpiretime(keys.userSessions(userId)), hours(24).getTime())
    assert.equal((await admin.smembers(keys.userSessions(userId))).sort(), ['h1', 'h2', 'h3'])
    await sessions.revoke('h1')
    assert.equal((await admin.smembers(keys.userSessions(userId))).sort(), ['h2', 'h3'])
    assert.is(await sessions.revokeAllForUser(userId), 2)
    assert.is(await admin.exists(keys.userSessions(userId)), 0)
    await sessions.close()
  })

  test('rate limiter: counter key with the window as TTL', async () => {
    const limiter = new RedisRateLimiter(options)
    const key = `u-${randomUUID()}:open`
    await limiter.hit(key, 10, LONG_TTL_MS, 3)
    assert.is(await admin.get(keys.rateLimit(key)), '3')
    const ttl = await admin.pttl(keys.rateLimit(key))
    assert.ok(ttl > 0 && ttl <= LONG_TTL_MS, `window TTL ${ttl}`)
    await limiter.close()
  })

  test.run()
}
