import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MemoryBus } from '../../persistence/memory/bus.ts'
import type { CanvasAccess } from '../../persistence/sql/metadata-store.ts'
import type { Canvas, User } from '../../schema/database.ts'
import { testPrincipal } from '../../test/support/principal.ts'
import { waitFor } from '../../test/support/wait.ts'
import type { Authenticated } from '../auth/authenticator.ts'
import { hashToken } from '../auth/tokens.ts'
import type { AccessChangePublisher } from './access-events.ts'
import { AuthorizationCache } from './authorization-cache.ts'
import { LocallyInvalidatingAccessEvents, listenForAccessChanges } from './authorization-cache-wiring.ts'
import { type CanvasAccessReads, ConnectAuthorizer, type IdentityReads } from './connect-authorizer.ts'

const CANVAS = '00000000-0000-4000-8000-0000000000c1'
const TOKEN = 'T'.repeat(43)
const SECOND_TOKEN = 'S'.repeat(43)
const USER = '00000000-0000-4000-8000-00000000000a'

/** A session store and canvas table in a few fields; counts reads like the database would see them. */
class FakeStores implements IdentityReads, CanvasAccessReads {
  sessions = new Set([TOKEN, SECOND_TOKEN])
  canvasRole: 'editor' | null = 'editor'
  identityReads = 0
  canvasReads = 0

  async authenticate(token: string): Promise<Authenticated | null> {
    this.identityReads++
    if (!this.sessions.has(token)) return null
    const user = { id: USER, role: 'member', organization_id: 'org', username: 'alice' } as User
    return {
      user,
      principal: testPrincipal({
        userId: USER,
        organizationId: 'org',
        displayName: 'alice',
        sessionHash: hashToken(token),
      }),
    }
  }

  async canvasAccess(_user: Pick<User, 'id'>, canvasId: string): Promise<CanvasAccess | null> {
    this.canvasReads++
    if (this.canvasRole === null) return null
    return { canvas: { id: canvasId } as Canvas, organizationId: 'org', role: this.canvasRole }
  }
}

function setup() {
  let clock = 1000
  const stores = new FakeStores()
  const cache = new AuthorizationCache({ now: () => clock })
  const authorizer = new ConnectAuthorizer({ identities: stores, canvases: stores, cache })
  return {
    stores,
    cache,
    authorizer,
    tick: (ms: number) => {
      clock += ms
    },
  }
}

test('a repeated upgrade reuses both reads and reports when they started, not now', async () => {
  const { stores, authorizer, tick } = setup()
  tick(10)
  const first = await authorizer.authorize(TOKEN, CANVAS, null)
  assert.is(first.kind, 'granted')
  tick(1000)
  const second = await authorizer.authorize(TOKEN, CANVAS, null)
  assert.equal(second, first, 'same answer and the same read times (1010), although it is now 2010')
  if (second.kind !== 'granted') throw new Error('expected a grant')
  assert.is(second.authorizedAt, 1010)
  assert.equal([stores.identityReads, stores.canvasReads], [1, 1])
})

test('refusals are not cached', async () => {
  const { stores, authorizer } = setup()
  assert.is((await authorizer.authorize('U'.repeat(43), CANVAS, null)).kind, 'unauthenticated')
  assert.is((await authorizer.authorize('U'.repeat(43), CANVAS, null)).kind, 'unauthenticated')
  assert.is(stores.identityReads, 2)
  stores.canvasRole = null
  assert.is((await authorizer.authorize(TOKEN, CANVAS, null)).kind, 'no-access')
  stores.canvasRole = 'editor'
  assert.is((await authorizer.authorize(TOKEN, CANVAS, null)).kind, 'granted')
  assert.is((await authorizer.authorize(TOKEN, CANVAS, null)).kind, 'granted')
  assert.equal(
    [stores.identityReads, stores.canvasReads],
    [3, 2],
    'canvas access: the refusal once, then the grant once (kept)',
  )
})

test('a logout made here refuses the just-cached token at once, before the bus delivered anything', async () => {
  const { stores, cache, authorizer } = setup()
  let invalidatedBeforePublish = false
  const published: string[] = []
  const inner: AccessChangePublisher = {
    canvasChanged: async () => undefined,
    userChanged: async (userId) => {
      invalidatedBeforePublish = cache.identity(hashToken(TOKEN)) === null
      published.push(userId)
    },
  }
  const events = new LocallyInvalidatingAccessEvents(cache, inner)
  assert.is((await authorizer.identify(TOKEN))?.value.user.id, USER)
  assert.ok(cache.identity(hashToken(TOKEN)) !== null, 'cached')
  // The logout route: revoke the session (committed), then announce the change.
  stores.sessions.delete(TOKEN)
  const announced = events.userChanged(USER)
  assert.is(await authorizer.identify(TOKEN), null, 'refused synchronously after the announcement started')
  await announced
  assert.ok(invalidatedBeforePublish)
  assert.equal(published, [USER])
  assert.ok((await authorizer.identify(SECOND_TOKEN)) !== null, "the user's other session still works")
})

test('bus messages invalidate: every access change arrives on the global channel', async () => {
  const { stores, cache, authorizer, tick } = setup()
  const bus = new MemoryBus()
  const subscription = await listenForAccessChanges(cache, bus)
  tick(10)
  const warm = async () => {
    await authorizer.authorize(TOKEN, CANVAS, null)
    return { identity: stores.identityReads, canvas: stores.canvasReads }
  }
  await warm()
  const reads = async () => {
    const before = { identity: stores.identityReads, canvas: stores.canvasReads }
    const after = await warm()
    return [after.identity - before.identity, after.canvas - before.canvas]
  }
  assert.equal(await reads(), [0, 0], 'warm')

  await bus.publish({ kind: 'access', canvasId: null, userId: USER, origin: 'elsewhere' })
  await waitFor('the user change', () => (cache.identity(hashToken(TOKEN)) === null ? true : undefined))
  assert.equal(await reads(), [1, 1], 'user change: identity and canvas access re-read')

  await bus.publish({ kind: 'access', canvasId: null, userId: 'someone-else', origin: 'elsewhere' })
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(await reads(), [0, 0], "another user's change drops nothing of ours")

  // No room of the canvas is loaded anywhere here: the change still arrives (global channel).
  await bus.publish({ kind: 'access', canvasId: CANVAS, userId: null, origin: 'elsewhere' })
  await waitFor('the canvas change', () => (cache.size.canvases === 0 ? true : undefined))
  assert.equal(await reads(), [0, 1], 'canvas change: only canvas access re-read')

  await bus.publish({ kind: 'access', canvasId: null, userId: null, origin: 'elsewhere' })
  await waitFor('the global change', () => (cache.size.identities === 0 ? true : undefined))
  assert.equal(await reads(), [1, 1], 'global change: everything re-read')

  bus.simulateDisconnect()
  bus.simulateReconnect()
  assert.equal(cache.size, { identities: 0, canvases: 0 }, 'messages may have been lost: cleared')
  await subscription.unsubscribe()
  await bus.close()
})

test('concurrent upgrades share one read, unless an access change was announced after it started', async () => {
  const { stores, cache, authorizer, tick } = setup()
  const [first, second] = await Promise.all([
    authorizer.authorize(TOKEN, CANVAS, null),
    authorizer.authorize(TOKEN, CANVAS, null),
  ])
  assert.is(first.kind, 'granted')
  assert.equal(second, first)
  assert.equal([stores.identityReads, stores.canvasReads], [1, 1], 'one read of each for both upgrades')

  cache.clear()
  tick(10)
  const before = authorizer.identify(TOKEN)
  // A logout is announced here while that read is in flight: a later upgrade must not join it.
  stores.sessions.delete(TOKEN)
  cache.invalidate({ canvasId: null, userId: USER })
  const after = authorizer.identify(TOKEN)
  assert.ok(
    (await before) !== null,
    'the racing upgrade read before the change (the join re-check covers it)',
  )
  assert.is(await after, null, 'the upgrade that began after the announcement read afresh and is refused')
  assert.is(stores.identityReads, 3)
})

test.run()
