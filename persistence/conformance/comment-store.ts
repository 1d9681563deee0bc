import { randomUUID } from 'node:crypto'
import * as assert from 'uvu/assert'
import type { CanvasComment, CommentStore, PageCursor } from '../ports.ts'
import { assertRejects, type DisposableHarness, harnessSuite, type TestClock } from './history-harness.ts'

export interface CommentStoreHarness extends DisposableHarness {
  readonly store: CommentStore
  /** The clock the store stamps created_at, resolved_at and deleted_at with. */
  readonly clock: TestClock
}

const DAY_MS = 86_400_000

async function listAll(
  store: CommentStore,
  canvasId: string,
  options: { blockId: string | null; includeResolved: boolean },
  limit: number,
): Promise<CanvasComment[]> {
  const all: CanvasComment[] = []
  let after: PageCursor | null = null
  for (;;) {
    const page: { comments: readonly CanvasComment[]; next: PageCursor | null } = await store.list(canvasId, {
      ...options,
      after,
      limit,
    })
    all.push(...page.comments)
    if (page.next === null) return all
    after = page.next
  }
}

/** The CommentStore contract, run against one adapter. */
export function commentStoreConformance(
  name: string,
  factory: () => Promise<CommentStoreHarness | null>,
): void {
  const { test, withHarness } = harnessSuite(`CommentStore conformance: ${name}`, factory)

  test(
    'create, get and count',
    withHarness(async ({ store, clock }) => {
      const canvasId = randomUUID()
      const authorId = randomUUID()
      const comment = await store.create({ canvasId, authorId, body: 'Why did Q4 drop?', blockId: 'block_1' })
      assert.equal(
        { ...comment, id: undefined },
        {
          id: undefined,
          canvasId,
          authorId,
          body: 'Why did Q4 drop?',
          blockId: 'block_1',
          resolvedAt: null,
          resolvedBy: null,
          createdAt: clock.now(),
        },
      )
      assert.equal(await store.get(canvasId, comment.id), comment)
      assert.is(await store.get(randomUUID(), comment.id), null, 'scoped by canvas')
      assert.is(await store.get(canvasId, 'nope'), null)
      assert.is(await store.count(canvasId), 1)
      assert.is(await store.count(randomUUID()), 0)
      await assertRejects(
        () => store.create({ canvasId, authorId, body: '', blockId: null }),
        RangeError,
        /body/,
      )
    }),
  )

  test(
    'list pages oldest first (ties by id), filtered by block and resolution',
    withHarness(async ({ store, clock }) => {
      const canvasId = randomUUID()
      const authorId = randomUUID()
      const created: CanvasComment[] = []
      for (let i = 0; i < 7; i++) {
        if (i % 2 === 0) clock.advance(1000)
        created.push(await store.create({ canvasId, authorId, body: `c${i}`, blockId: i < 3 ? 'b1' : null }))
      }
      const expected = [...created]
        .sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime() || (x.id < y.id ? -1 : 1))
        .map((c) => c.id)
      const all = await listAll(store, canvasId, { blockId: null, includeResolved: true }, 3)
      assert.equal(
        all.map((c) => c.id),
        expected,
      )
      const onBlock = await listAll(store, canvasId, { blockId: 'b1', includeResolved: true }, 10)
      assert.equal(onBlock.map((c) => c.body).sort(), ['c0', 'c1', 'c2'])

      const first = created[0]
      assert.ok(first !== undefined)
      const resolver = randomUUID()
      clock.advance(5000)
      const resolved = await store.resolve(canvasId, first.id, resolver)
      assert.equal(resolved?.resolvedBy, resolver)
      assert.equal(resolved?.resolvedAt, clock.now())
      clock.advance(5000)
      const again = await store.resolve(canvasId, first.id, randomUUID())
      assert.equal(again, resolved, 'the first resolution is kept')
      const open = await listAll(store, canvasId, { blockId: null, includeResolved: false }, 10)
      assert.ok(!open.some((c) => c.id === first.id))
      assert.is(open.length, 6)
      assert.is(await store.resolve(canvasId, randomUUID(), resolver), null)
      assert.is(await store.count(canvasId), 7, 'resolved comments still count')
    }),
  )

  test(
    'delete is soft: the comment disappears from reads and counts; a second delete is false',
    withHarness(async ({ store }) => {
      const canvasId = randomUUID()
      const authorId = randomUUID()
      const kept = await store.create({ canvasId, authorId, body: 'kept', blockId: null })
      const gone = await store.create({ canvasId, authorId, body: 'gone', blockId: null })
      assert.is(await store.delete(randomUUID(), gone.id), false, 'scoped by canvas')
      assert.is(await store.delete(canvasId, gone.id), true)
      assert.is(await store.delete(canvasId, gone.id), false)
      assert.is(await store.get(canvasId, gone.id), null)
      assert.is(await store.resolve(canvasId, gone.id, authorId), null)
      assert.is(await store.count(canvasId), 1)
      assert.equal(
        (await listAll(store, canvasId, { blockId: null, includeResolved: true }, 10)).map((c) => c.id),
        [kept.id],
      )
    }),
  )

  test(
    'purgeDeleted hard-deletes comments deleted before the cutoff; deleteCanvas removes a canvas',
    withHarness(async ({ store, clock }) => {
      const canvasId = randomUUID()
      const authorId = randomUUID()
      const old = await store.create({ canvasId, authorId, body: 'old', blockId: null })
      const recent = await store.create({ canvasId, authorId, body: 'recent', blockId: null })
      const live = await store.create({ canvasId, authorId, body: 'live', blockId: null })
      await store.delete(canvasId, old.id)
      clock.advance(10 * DAY_MS)
      await store.delete(canvasId, recent.id)
      const cutoff = new Date(clock.now().getTime() - DAY_MS)
      const wouldPurge = await store.purgeDeleted(cutoff, { dryRun: true })
      assert.ok(wouldPurge >= 1, 'the old deletion is counted')
      assert.is(await store.purgeDeleted(cutoff, { dryRun: false }), wouldPurge)
      assert.is(await store.purgeDeleted(cutoff, { dryRun: true }), 0)
      assert.equal(await store.get(canvasId, live.id), live)

      const other = randomUUID()
      await store.create({ canvasId: other, authorId, body: 'other canvas', blockId: null })
      assert.is(await store.deleteCanvas(canvasId), 2, 'the live and the recently deleted comment')
      assert.is(await store.count(canvasId), 0)
      assert.is(await store.count(other), 1)
    }),
  )

  test.run()
}
