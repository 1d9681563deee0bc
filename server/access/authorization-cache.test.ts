import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { AuthorizationCache, type CachedIdentity } from './authorization-cache.ts'

const CANVAS = '00000000-0000-4000-8000-0000000000c1'
const OTHER_CANVAS = '00000000-0000-4000-8000-0000000000c2'
const HOUR = 3600_000

function identity(userId: string, sessionExpiresAt = new Date(Date.now() + HOUR)): CachedIdentity {
  return {
    principal: {
      userId,
      organizationId: 'org',
      displayName: userId,
      sessionHash: `h-${userId}`,
      sessionExpiresAt,
    },
    user: { id: userId, role: 'member', organization_id: 'org' },
  }
}

function setup(options: { maxEntries?: number } = {}) {
  const clock = { mono: 1000, wall: Date.now() }
  const cache = new AuthorizationCache({
    ttlMs: 5000,
    now: () => clock.mono,
    wallNow: () => clock.wall,
    ...options,
  })
  return { clock, cache }
}

/** Stores canvas access for `userId` on `canvasId` (whose room must be watched), read at the current time. */
function storeAccess(
  cache: AuthorizationCache,
  userId: string,
  canvasId = CANVAS,
  linkToken: string | null = null,
) {
  cache.storeCanvasAccess(userId, canvasId, linkToken, cache.ticket(), {
    value: { canvasId, role: 'editor' },
    identityReadAt: 0,
  })
}

test('a stored identity is served with the time its reads started, until the TTL counted from then', () => {
  const { clock, cache } = setup()
  const ticket = cache.ticket()
  clock.mono = 1200 // the reads took 200 ms
  cache.storeIdentity('hash', ticket, identity('alice'))
  clock.mono = 3000
  assert.is(cache.identity('hash')?.readAt, 1000, 'readAt is when the reads started, not when they ended')
  assert.is(cache.identity('hash')?.value.principal.userId, 'alice')
  clock.mono = 5999
  assert.ok(cache.identity('hash') !== null, 'still fresh just before 1000 + TTL')
  clock.mono = 6000
  assert.is(cache.identity('hash'), null, 'expired at 1000 + TTL')
})

test('never served past the session expiry, and an already expired session is not stored', () => {
  const { clock, cache } = setup()
  cache.storeIdentity('soon', cache.ticket(), identity('bob', new Date(clock.wall + 1000)))
  assert.ok(cache.identity('soon') !== null)
  clock.wall += 1000
  assert.is(cache.identity('soon'), null, 'the session ended although the TTL has not')
  cache.storeIdentity('gone', cache.ticket(), identity('carol', new Date(clock.wall - 1)))
  assert.is(cache.size.identities, 0)
})

test('size is bounded: the least recently used entry is evicted', () => {
  const { clock, cache } = setup({ maxEntries: 2 })
  cache.storeIdentity('a', cache.ticket(), identity('a'))
  cache.storeIdentity('b', cache.ticket(), identity('b'))
  assert.ok(cache.identity('a') !== null, 'a is now the most recently used')
  cache.storeIdentity('c', cache.ticket(), identity('c'))
  assert.is(cache.size.identities, 2)
  assert.is(cache.identity('b'), null, 'b was least recently used')
  assert.ok(cache.identity('a') !== null)
  assert.ok(cache.identity('c') !== null)

  clock.mono += 1
  for (const user of ['u1', 'u2', 'u3']) storeAccess(cache, user)
  assert.is(cache.size.canvases, 2)
  assert.is(cache.canvasAccess('u1', CANVAS, null), null, 'the oldest canvas entry was evicted')
  assert.ok(cache.canvasAccess('u3', CANVAS, null) !== null)
})

test('a fill that raced an invalidation is not kept (the epoch)', () => {
  const { cache } = setup()
  const ticket = cache.ticket()
  cache.invalidate({ canvasId: null, userId: 'someone-else' })
  cache.storeIdentity('hash', ticket, identity('alice'))
  assert.is(cache.identity('hash'), null, 'it may have read the state before the change committed')
  cache.storeIdentity('hash', cache.ticket(), identity('alice'))
  assert.ok(cache.identity('hash') !== null, 'a fill started after the invalidation is kept')
})

test('canvas access is kept whatever rooms are loaded, keyed by user, canvas and link token', () => {
  const { cache } = setup()
  storeAccess(cache, 'alice')
  storeAccess(cache, 'alice', CANVAS, 'L'.repeat(43))
  assert.is(cache.canvasAccess('alice', CANVAS, null)?.value.role, 'editor')
  assert.ok(cache.canvasAccess('alice', CANVAS, 'L'.repeat(43)) !== null, 'keyed by link token too')
  assert.is(cache.canvasAccess('alice', CANVAS, 'M'.repeat(43)), null)
  assert.is(cache.canvasAccess('bob', CANVAS, null), null)
})

test('canvas access expires with the older of its canvas read and the identity read it was computed from', () => {
  const { clock, cache } = setup()
  clock.mono = 4000
  cache.storeCanvasAccess('alice', CANVAS, null, cache.ticket(), {
    value: { canvasId: CANVAS, role: 'editor' },
    identityReadAt: 2000,
  })
  clock.mono = 6999
  assert.ok(cache.canvasAccess('alice', CANVAS, null) !== null)
  clock.mono = 7000
  assert.is(cache.canvasAccess('alice', CANVAS, null), null)
})

test('invalidation by user, by canvas (optionally one user on it) and of everything', () => {
  const { clock, cache } = setup()
  clock.mono += 1
  const fill = () => {
    for (const user of ['alice', 'bob']) {
      cache.storeIdentity(`h-${user}`, cache.ticket(), identity(user))
      storeAccess(cache, user, CANVAS)
      storeAccess(cache, user, OTHER_CANVAS)
    }
  }
  const has = () => ({
    alice: cache.identity('h-alice') !== null,
    bob: cache.identity('h-bob') !== null,
    aliceC: cache.canvasAccess('alice', CANVAS, null) !== null,
    aliceO: cache.canvasAccess('alice', OTHER_CANVAS, null) !== null,
    bobC: cache.canvasAccess('bob', CANVAS, null) !== null,
    bobO: cache.canvasAccess('bob', OTHER_CANVAS, null) !== null,
  })

  fill()
  cache.invalidate({ canvasId: null, userId: 'alice' })
  assert.equal(has(), { alice: false, bob: true, aliceC: false, aliceO: false, bobC: true, bobO: true })

  fill()
  cache.invalidate({ canvasId: CANVAS, userId: null })
  assert.equal(has(), { alice: true, bob: true, aliceC: false, aliceO: true, bobC: false, bobO: true })

  fill()
  cache.invalidate({ canvasId: CANVAS, userId: 'bob' })
  assert.equal(has(), { alice: true, bob: true, aliceC: true, aliceO: true, bobC: false, bobO: true })

  fill()
  cache.invalidate({ canvasId: null, userId: null })
  assert.equal(has(), { alice: false, bob: false, aliceC: false, aliceO: false, bobC: false, bobO: false })
})

test.run()
