import { Redis } from 'ioredis'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { RedisBus } from './bus.ts'
import { RedisAdapterError } from './errors.ts'
import { RedisLockManager } from './locks.ts'
import { RedisPresenceStore } from './presence.ts'
import { RedisRateLimiter } from './rate-limiter.ts'
import { RedisSessionStore } from './session-store.ts'

/** Nothing listens on port 1: commands fail at once because the offline queue is off. */
const UNREACHABLE_URL = 'redis://127.0.0.1:1'

const test = suite('Redis adapters: errors name the operation')

let client: Redis

test.before.each(() => {
  client = new Redis(UNREACHABLE_URL, {
    lazyConnect: true,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  })
  client.on('error', () => undefined) // each failing command below reports the error; this only mutes the event
})

test.after.each(() => {
  client.disconnect()
})

async function expectAdapterError(operation: string, call: () => Promise<unknown>): Promise<void> {
  let caught: unknown
  try {
    await call()
  } catch (error) {
    caught = error
  }
  assert.instance(
    caught,
    RedisAdapterError,
    `${operation}: expected a RedisAdapterError, got ${String(caught)}`,
  )
  if (caught instanceof RedisAdapterError) {
    assert.is(caught.operation, operation)
    assert.ok(caught.message.startsWith(`redis ${operation} failed: `), caught.message)
    assert.ok(caught.cause instanceof Error, 'keeps the driver error as cause')
  }
}

test('every adapter wraps driver failures', async () => {
  const limiter = new RedisRateLimiter({ redis: client })
  await expectAdapterError('rate limiter hit', () => limiter.hit('k', 1, 1000))
  const locks = new RedisLockManager({ redis: client })
  await expectAdapterError('lock acquire', () => locks.acquire('c', 'b', 'u', 1000))
  await expectAdapterError('lock list', () => locks.list('c'))
  const presence = new RedisPresenceStore({ redis: client })
  await expectAdapterError('presence upsert', () =>
    presence.upsert('c', 'x', { userId: 'u', displayName: 'U', cursor: null, selection: null }, 1000),
  )
  await expectAdapterError('presence list', () => presence.list('c'))
  const sessions = new RedisSessionStore({ redis: client })
  await expectAdapterError('session get', () => sessions.get('h'))
  await expectAdapterError('session revoke all', () => sessions.revokeAllForUser('u'))
  const logged: string[] = []
  const logger = {
    warn: (_: unknown, message: string) => logged.push(message),
    error: (_: unknown, message: string) => logged.push(message),
  }
  const bus = new RedisBus({ redis: client, logger })
  try {
    await expectAdapterError('bus publish', () =>
      bus.publish({ kind: 'access', canvasId: null, userId: null, origin: 'o' }),
    )
    await expectAdapterError('bus subscribe', () => bus.subscribe('c', () => undefined))
  } finally {
    await bus.close()
  }
  // Borrowed connection: closing the adapters must not close it.
  await Promise.all([limiter.close(), locks.close(), presence.close(), sessions.close()])
  assert.is.not(client.status, 'end')
  // The bus's own subscriber connection could not QUIT cleanly; that is reported, not hidden.
  assert.ok(
    logged.every((message) => message.startsWith('redis ')),
    logged.join('; '),
  )
})

test('ids and prefixes that would break the hash tag are refused', async () => {
  assert.throws(
    () => new RedisLockManager({ redis: client, prefix: 'a{b}:' }),
    (error: unknown) => error instanceof RangeError,
  )
  const locks = new RedisLockManager({ redis: client })
  let rejected: unknown
  await locks.acquire('canvas}1', 'b', 'u', 1000).catch((error: unknown) => {
    rejected = error
  })
  assert.instance(rejected, RangeError)
})

test.run()
