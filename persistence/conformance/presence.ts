import { randomUUID } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../test/support/wait.ts'
import type { PresenceStore } from '../ports.ts'

const LONG_TTL_MS = 60_000
/** Short enough for expiry tests to be quick, long enough to be read back before it expires. */
const SHORT_TTL_MS = 500
const EXPIRY_TIMEOUT_MS = 5_000
/** Slack for lastSeen, which the store stamps itself. */
const CLOCK_SLACK_MS = 5_000

function who(userId: string, extra: { cursor?: unknown; selection?: unknown; displayName?: string } = {}) {
  return {
    userId,
    displayName: extra.displayName ?? `User ${userId}`,
    cursor: extra.cursor ?? null,
    selection: extra.selection ?? null,
  }
}

export function presenceConformance(
  name: string,
  makeStore: () => Promise<PresenceStore>,
  teardown?: () => Promise<void>,
): void {
  const test = suite<{ store: PresenceStore }>(`PresenceStore conformance: ${name}`)

  test.before.each(async (context) => {
    context.store = await makeStore()
  })

  test.after.each(async (context) => {
    await context.store.close()
  })

  if (teardown !== undefined) test.after(teardown)

  test('lists what was upserted', async ({ store }) => {
    const canvasId = randomUUID()
    const before = Date.now()
    const cursor = { x: 12.5, y: -3, nested: { list: [1, 'two', null], empty: [] } }
    const selection = ['block-1', 'block-2']
    await store.upsert(
      canvasId,
      'conn-1',
      who('alice', { cursor, selection, displayName: 'Alice' }),
      LONG_TTL_MS,
    )
    const entries = await store.list(canvasId)
    assert.is(entries.length, 1)
    const [alice] = entries
    assert.ok(alice !== undefined)
    assert.is(alice.userId, 'alice')
    assert.is(alice.displayName, 'Alice')
    assert.is(alice.connections, 1)
    assert.equal(alice.cursor, cursor)
    assert.equal(alice.selection, selection)
    assert.instance(alice.lastSeen, Date)
    assert.ok(Math.abs(alice.lastSeen.getTime() - before) < CLOCK_SLACK_MS, 'lastSeen is about now')
  })

  test('an unknown canvas lists nothing', async ({ store }) => {
    assert.equal(await store.list(randomUUID()), [])
  })

  test('stored values do not follow later mutation of the caller objects', async ({ store }) => {
    const canvasId = randomUUID()
    const cursor = { x: 1 }
    await store.upsert(canvasId, 'conn-1', who('alice', { cursor }), LONG_TTL_MS)
    cursor.x = 2
    assert.equal((await store.list(canvasId))[0]?.cursor, { x: 1 })
  })

  test('one entry per user; connections are counted', async ({ store }) => {
    const canvasId = randomUUID()
    await store.upsert(canvasId, 'a-1', who('alice'), LONG_TTL_MS)
    await store.upsert(canvasId, 'a-2', who('alice'), LONG_TTL_MS)
    await store.upsert(canvasId, 'a-3', who('alice'), LONG_TTL_MS)
    await store.upsert(canvasId, 'b-1', who('bob'), LONG_TTL_MS)
    const entries = await store.list(canvasId)
    assert.equal(
      entries.map((e) => [e.userId, e.connections]),
      [
        ['alice', 3],
        ['bob', 1],
      ],
    )
  })

  test("the latest upsert of a user's connections provides cursor and name", async ({ store }) => {
    const canvasId = randomUUID()
    await store.upsert(canvasId, 'a-1', who('alice', { cursor: { x: 1 }, displayName: 'Old' }), LONG_TTL_MS)
    // lastSeen has millisecond resolution: make sure the second upsert is strictly later.
    const stamp = Date.now()
    await waitFor('clock tick', () => (Date.now() > stamp ? true : undefined))
    await store.upsert(canvasId, 'a-2', who('alice', { cursor: { x: 2 }, displayName: 'New' }), LONG_TTL_MS)
    const [alice] = await store.list(canvasId)
    assert.is(alice?.connections, 2)
    assert.equal(alice?.cursor, { x: 2 })
    assert.is(alice?.displayName, 'New')
  })

  test('upsert refreshes one connection in place', async ({ store }) => {
    const canvasId = randomUUID()
    await store.upsert(canvasId, 'a-1', who('alice', { cursor: { x: 1 } }), LONG_TTL_MS)
    await store.upsert(canvasId, 'a-1', who('alice', { cursor: { x: 5 }, selection: ['s'] }), LONG_TTL_MS)
    const entries = await store.list(canvasId)
    assert.is(entries.length, 1)
    assert.is(entries[0]?.connections, 1)
    assert.equal(entries[0]?.cursor, { x: 5 })
    assert.equal(entries[0]?.selection, ['s'])
  })

  test('remove drops one connection; the last one removes the user', async ({ store }) => {
    const canvasId = randomUUID()
    await store.upsert(canvasId, 'a-1', who('alice'), LONG_TTL_MS)
    await store.upsert(canvasId, 'a-2', who('alice'), LONG_TTL_MS)
    await store.upsert(canvasId, 'b-1', who('bob'), LONG_TTL_MS)
    await store.remove(canvasId, 'a-1')
    assert.equal(
      (await store.list(canvasId)).map((e) => [e.userId, e.connections]),
      [
        ['alice', 1],
        ['bob', 1],
      ],
    )
    await store.remove(canvasId, 'a-2')
    await store.remove(canvasId, 'a-2') // idempotent
    await store.remove(randomUUID(), 'nothing') // unknown canvas
    assert.equal(
      (await store.list(canvasId)).map((e) => e.userId),
      ['bob'],
    )
  })

  test('canvases are isolated', async ({ store }) => {
    const first = randomUUID()
    const second = randomUUID()
    await store.upsert(first, 'conn', who('alice'), LONG_TTL_MS)
    await store.upsert(second, 'conn', who('bob'), LONG_TTL_MS)
    assert.equal(
      (await store.list(first)).map((e) => e.userId),
      ['alice'],
    )
    await store.remove(first, 'conn')
    assert.equal(
      (await store.list(second)).map((e) => e.userId),
      ['bob'],
    )
  })

  test('entries expire after their TTL', async ({ store }) => {
    const canvasId = randomUUID()
    await store.upsert(canvasId, 'a-1', who('alice'), SHORT_TTL_MS)
    assert.is((await store.list(canvasId)).length, 1)
    await waitFor(
      'presence expiry',
      async () => ((await store.list(canvasId)).length === 0 ? true : undefined),
      EXPIRY_TIMEOUT_MS,
    )
    assert.equal(await store.countByCanvas([canvasId]), new Map([[canvasId, 0]]))
  })

  test("a dead connection's entry expires while others keep the canvas alive", async ({ store }) => {
    const canvasId = randomUUID()
    await store.upsert(canvasId, 'dead', who('ghost'), SHORT_TTL_MS)
    await store.upsert(canvasId, 'alive', who('alice'), LONG_TTL_MS)
    await store.upsert(canvasId, 'alive-2', who('ghost'), LONG_TTL_MS)
    assert.equal(
      (await store.list(canvasId)).map((e) => [e.userId, e.connections]),
      [
        ['alice', 1],
        ['ghost', 2],
      ],
    )
    await waitFor(
      'dead connection expiry',
      async () => {
        // The live connections keep refreshing, as a live instance does.
        await store.upsert(canvasId, 'alive', who('alice'), LONG_TTL_MS)
        const ghost = (await store.list(canvasId)).find((e) => e.userId === 'ghost')
        return ghost?.connections === 1 ? true : undefined
      },
      EXPIRY_TIMEOUT_MS,
    )
    await store.remove(canvasId, 'alive-2')
    assert.equal(
      (await store.list(canvasId)).map((e) => e.userId),
      ['alice'],
    )
  })

  test('a refresh with a longer TTL keeps a connection past its first TTL', async ({ store }) => {
    const canvasId = randomUUID()
    await store.upsert(canvasId, 'a-1', who('alice'), SHORT_TTL_MS)
    await store.upsert(canvasId, 'a-1', who('alice'), LONG_TTL_MS)
    await store.upsert(canvasId, 'probe', who('probe'), SHORT_TTL_MS)
    await waitFor(
      'probe expiry',
      async () => ((await store.list(canvasId)).some((e) => e.userId === 'probe') ? undefined : true),
      EXPIRY_TIMEOUT_MS,
    )
    assert.equal(
      (await store.list(canvasId)).map((e) => e.userId),
      ['alice'],
    )
  })

  test('countByCanvas counts distinct live users, 0 for unknown canvases', async ({ store }) => {
    const busy = randomUUID()
    const quiet = randomUUID()
    const empty = randomUUID()
    await store.upsert(busy, 'a-1', who('alice'), LONG_TTL_MS)
    await store.upsert(busy, 'a-2', who('alice'), LONG_TTL_MS)
    await store.upsert(busy, 'b-1', who('bob'), LONG_TTL_MS)
    await store.upsert(busy, 'c-1', who('carol'), SHORT_TTL_MS)
    await store.upsert(quiet, 'a-1', who('alice'), LONG_TTL_MS)
    const counts = await waitFor(
      'carol expiry',
      async () => {
        const result = await store.countByCanvas([busy, quiet, empty])
        return result.get(busy) === 2 ? result : undefined
      },
      EXPIRY_TIMEOUT_MS,
    )
    assert.equal(
      counts,
      new Map([
        [busy, 2],
        [quiet, 1],
        [empty, 0],
      ]),
    )
    assert.equal(await store.countByCanvas([]), new Map())
  })

  test('rejects a non-positive or fractional TTL', async ({ store }) => {
    for (const ttl of [0, -1, 1.5, Number.NaN]) {
      let rejected = false
      await store.upsert(randomUUID(), 'c', who('alice'), ttl).catch((error: unknown) => {
        rejected = error instanceof RangeError
      })
      assert.ok(rejected, `ttl ${ttl} must be rejected with a RangeError`)
    }
  })

  test.run()
}
