import { randomUUID } from 'node:crypto'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import {
  addBlock,
  type CanvasJSON,
  type ChangeSummary,
  initCanvasDoc,
  summarizeChanges,
  toCanvasJSON,
} from '../../shared/canvas/index.ts'
import type { NewVersion, VersionData, VersionStore } from '../ports.ts'
import { MAIN_BRANCH } from '../ports.ts'
import { assertRejects, type DisposableHarness, harnessSuite } from './history-harness.ts'

export interface VersionStoreHarness extends DisposableHarness {
  readonly store: VersionStore
}

const RACERS = 8
const SEQUENTIAL_WRITERS = 4
const VERSIONS_PER_WRITER = 10
const DAY_MS = 86_400_000
const AUTHOR_A = '00000000-0000-4000-8000-0000000000a1'
const AUTHOR_B = '00000000-0000-4000-8000-0000000000b2'

/** One canvas's history as a test builds it: a live doc, and each version's recorded JSON. */
class HistoryBuilder {
  readonly canvasId = randomUUID()
  readonly doc = new Y.Doc()
  private parent: Y.Doc = new Y.Doc()
  private version = 0
  private keyframe = 0
  readonly recorded = new Map<number, CanvasJSON>()

  constructor(private readonly keyframeEvery: number) {
    initCanvasDoc(this.doc, { name: 'History' })
  }

  addChart(id: string, y: number): void {
    addBlock(this.doc, { id, type: 'chart', position: { x: 0, y, w: 6, h: 2 }, author: AUTHOR_A })
  }

  /** The next version of the live doc, as the server's writer builds it (delta from the parent's state vector). */
  next(overrides: Partial<NewVersion> = {}): NewVersion {
    const version = this.version + 1
    const isKeyframe = this.keyframe === 0 || version - this.keyframe >= this.keyframeEvery
    const canvas = toCanvasJSON(this.doc)
    const summary: ChangeSummary = summarizeChanges(this.parent, this.doc)
    const built: NewVersion = {
      canvasId: this.canvasId,
      version,
      parentVersion: version - 1,
      branch: MAIN_BRANCH,
      authors: [AUTHOR_A],
      label: null,
      trigger: 'quiet',
      summary,
      kind: isKeyframe ? 'keyframe' : 'delta',
      keyframeVersion: isKeyframe ? version : this.keyframe,
      data: isKeyframe
        ? Y.encodeStateAsUpdate(this.doc)
        : Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(this.parent)),
      stateVector: Y.encodeStateVector(this.doc),
      canvas,
      createdAt: new Date(),
      ...overrides,
    }
    return built
  }

  /** Records that `version` was stored. */
  stored(version: NewVersion): void {
    this.version = version.version
    if (version.kind === 'keyframe') this.keyframe = version.version
    this.parent = new Y.Doc()
    Y.applyUpdate(this.parent, Y.encodeStateAsUpdate(this.doc))
    this.recorded.set(version.version, version.canvas)
  }
}

function rebuild(chain: readonly VersionData[]): CanvasJSON {
  const doc = new Y.Doc()
  for (const row of chain) Y.applyUpdate(doc, row.data)
  const json = toCanvasJSON(doc)
  doc.destroy()
  return json
}

async function appendOk(store: VersionStore, builder: HistoryBuilder, overrides: Partial<NewVersion> = {}) {
  const version = builder.next(overrides)
  const result = await store.append(version)
  if (result.kind !== 'created') throw new Error(`version ${version.version} conflicted`)
  builder.stored(version)
  return result.info
}

/** The VersionStore contract, run against one adapter. */
export function versionStoreConformance(
  name: string,
  factory: () => Promise<VersionStoreHarness | null>,
): void {
  const { test, withHarness } = harnessSuite(`VersionStore conformance: ${name}`, factory)

  test(
    'an unknown canvas has no versions',
    withHarness(async ({ store }) => {
      const canvasId = randomUUID()
      assert.is(await store.latest(canvasId), null)
      assert.is(await store.get(canvasId, 1), null)
      assert.equal(await store.list(canvasId, { before: null, limit: 10 }), {
        versions: [],
        nextBefore: null,
      })
      assert.equal(await store.readRange(canvasId, 1, 10), [])
      assert.is(await store.readChain(canvasId, 1), null)
      assert.is(await store.materialized(canvasId), null)
    }),
  )

  test(
    'append stores every field; get, latest and list read them back',
    withHarness(async ({ store }) => {
      const builder = new HistoryBuilder(10)
      builder.addChart('a', 0)
      const createdAt = new Date('2024-02-01T12:00:00.000Z')
      const first = builder.next({
        label: 'First',
        trigger: 'manual',
        authors: [AUTHOR_A, AUTHOR_B],
        createdAt,
      })
      const result = await store.append(first)
      assert.is(result.kind, 'created')
      builder.stored(first)
      const info = await store.get(builder.canvasId, 1)
      assert.ok(info !== null)
      assert.equal(result.kind === 'created' ? result.info : null, info)
      assert.equal(
        {
          canvasId: info.canvasId,
          version: info.version,
          parentVersion: info.parentVersion,
          branch: info.branch,
          authors: info.authors,
          label: info.label,
          trigger: info.trigger,
          kind: info.kind,
          keyframeVersion: info.keyframeVersion,
          dataBytes: info.dataBytes,
          createdAt: info.createdAt.toISOString(),
        },
        {
          canvasId: builder.canvasId,
          version: 1,
          parentVersion: 0,
          branch: 'main',
          authors: [AUTHOR_A, AUTHOR_B],
          label: 'First',
          trigger: 'manual',
          kind: 'keyframe',
          keyframeVersion: 1,
          dataBytes: first.data.byteLength,
          createdAt: createdAt.toISOString(),
        },
      )
      assert.equal(info.summary, first.summary)
      assert.is(info.summary.counts.block_added, 1)
      assert.equal([...info.stateVector], [...first.stateVector])
      assert.is(Object.getPrototypeOf(info.stateVector), Uint8Array.prototype)

      builder.addChart('b', 2)
      await appendOk(store, builder)
      assert.is((await store.latest(builder.canvasId))?.version, 2)
      assert.is((await store.get(builder.canvasId, 2))?.kind, 'delta')
      assert.is((await store.get(builder.canvasId, 2))?.keyframeVersion, 1)
      assert.is(await store.get(builder.canvasId, 3), null)
    }),
  )

  test(
    'list pages newest first by version number',
    withHarness(async ({ store }) => {
      const builder = new HistoryBuilder(3)
      for (let i = 0; i < 7; i++) {
        builder.addChart(`b${i}`, i * 2)
        await appendOk(store, builder)
      }
      const pages: number[][] = []
      let before: number | null = null
      for (;;) {
        const page = await store.list(builder.canvasId, { before, limit: 3 })
        pages.push(page.versions.map((v) => v.version))
        if (page.nextBefore === null) break
        before = page.nextBefore
      }
      assert.equal(pages, [[7, 6, 5], [4, 3, 2], [1]])
      const exact = await store.list(builder.canvasId, { before: 4, limit: 3 })
      assert.equal(
        exact.versions.map((v) => v.version),
        [3, 2, 1],
      )
      assert.is(exact.nextBefore, null, 'no next page when the last row fills the page exactly')
      await assertRejects(() => store.list(builder.canvasId, { before: null, limit: 0 }), RangeError, /limit/)
    }),
  )

  test(
    'readChain returns the keyframe and the deltas after it; every version rebuilds to its recorded canvas',
    withHarness(async ({ store }) => {
      const builder = new HistoryBuilder(4)
      for (let i = 0; i < 11; i++) {
        builder.addChart(`c${i}`, i)
        await appendOk(store, builder)
      }
      for (let version = 1; version <= 11; version++) {
        const chain = await store.readChain(builder.canvasId, version)
        assert.ok(chain !== null, `chain of ${version}`)
        assert.is(chain[0]?.kind, 'keyframe')
        assert.ok(chain.length <= 4, `at most a keyframe and 3 deltas (got ${chain.length})`)
        assert.equal(
          chain.map((row) => row.version),
          Array.from({ length: chain.length }, (_, i) => (chain[0]?.version ?? 0) + i),
        )
        assert.equal(rebuild(chain), builder.recorded.get(version), `state of version ${version}`)
      }
      const range = await store.readRange(builder.canvasId, 3, 6)
      assert.equal(
        range.map((row) => row.version),
        [3, 4, 5, 6],
      )
      assert.ok(range.every((row) => Object.getPrototypeOf(row.data) === Uint8Array.prototype))
      assert.is(await store.readChain(builder.canvasId, 12), null)
    }),
  )

  test(
    'a taken number is a conflict that changes nothing',
    withHarness(async ({ store }) => {
      const builder = new HistoryBuilder(10)
      builder.addChart('a', 0)
      await appendOk(store, builder, { label: 'original' })
      const before = await store.get(builder.canvasId, 1)
      const materialized = await store.materialized(builder.canvasId)
      builder.addChart('b', 3)
      const rival = builder.next({ version: 1, parentVersion: 0, kind: 'keyframe', keyframeVersion: 1 })
      assert.equal(await store.append({ ...rival, label: 'rival' }), { kind: 'conflict' })
      assert.equal(await store.get(builder.canvasId, 1), before)
      assert.equal(await store.materialized(builder.canvasId), materialized)
    }),
  )

  test(
    'of writers racing for one number exactly one wins and its data is what is stored',
    withHarness(async ({ store }) => {
      const canvasId = randomUUID()
      const rivals = Array.from({ length: RACERS }, (_, i) => {
        const builder = Object.assign(new HistoryBuilder(10), { canvasId })
        builder.addChart(`racer-${i}`, 0)
        return builder.next({ canvasId, label: `racer ${i}` })
      })
      const results = await Promise.all(rivals.map((rival) => store.append(rival)))
      const winners = results.flatMap((result, i) => (result.kind === 'created' ? [i] : []))
      assert.is(winners.length, 1, `exactly one winner, got ${winners.length}`)
      const winner = rivals[winners[0] ?? -1]
      const stored = await store.readRange(canvasId, 1, 1)
      assert.is(stored.length, 1)
      assert.is(stored[0]?.label, winner?.label ?? null)
      assert.equal([...(stored[0]?.data ?? [])], [...(winner?.data ?? [])])
      assert.equal((await store.materialized(canvasId))?.canvas, winner?.canvas)
    }),
  )

  test(
    'writers that retry on conflict build one gap-free history without duplicates',
    withHarness(async ({ store }) => {
      const canvasId = randomUUID()
      const created: number[] = []
      const writer = async (w: number) => {
        let mine = 0
        while (mine < VERSIONS_PER_WRITER) {
          const latest = await store.latest(canvasId)
          const version = (latest?.version ?? 0) + 1
          const doc = new Y.Doc()
          initCanvasDoc(doc, { name: `writer ${w} version ${version}` })
          const result = await store.append({
            canvasId,
            version,
            parentVersion: version - 1,
            branch: MAIN_BRANCH,
            authors: [],
            label: `w${w}`,
            trigger: 'quiet',
            summary: summarizeChanges(new Y.Doc(), doc),
            kind: 'keyframe',
            keyframeVersion: version,
            data: Y.encodeStateAsUpdate(doc),
            stateVector: Y.encodeStateVector(doc),
            canvas: toCanvasJSON(doc),
            createdAt: new Date(),
          })
          if (result.kind === 'created') {
            created.push(version)
            mine++
          }
        }
      }
      await Promise.all(Array.from({ length: SEQUENTIAL_WRITERS }, (_, w) => writer(w)))
      const total = SEQUENTIAL_WRITERS * VERSIONS_PER_WRITER
      assert.equal(
        [...created].sort((a, b) => a - b),
        Array.from({ length: total }, (_, i) => i + 1),
        'every number created exactly once',
      )
      const page = await store.list(canvasId, { before: null, limit: total + 5 })
      assert.is(page.versions.length, total)
      assert.is((await store.materialized(canvasId))?.version, total)
    }),
  )

  test(
    'invalid versions are refused before any write',
    withHarness(async ({ store }) => {
      const builder = new HistoryBuilder(10)
      builder.addChart('a', 0)
      const good = builder.next()
      const bad: [Partial<NewVersion>, RegExp][] = [
        [{ parentVersion: 5 }, /parent/],
        [{ version: 0, parentVersion: -1 }, /version/],
        [{ kind: 'delta' }, /keyframe/],
        [{ keyframeVersion: 2 }, /keyframe/],
        [{ canvasId: 'NOT-A-UUID' }, /canvas id/],
        [{ authors: ['someone'] }, /author id/],
        [{ authors: [AUTHOR_A, AUTHOR_A] }, /distinct/],
        [{ label: '' }, /label/],
        [{ createdAt: new Date(Number.NaN) }, /createdAt/],
      ]
      for (const [override, pattern] of bad) {
        await assertRejects(() => store.append({ ...good, ...override }), Error, pattern)
      }
      assert.is(await store.latest(builder.canvasId), null)
    }),
  )

  test(
    'the materialized canvas follows the newest version',
    withHarness(async ({ store }) => {
      const builder = new HistoryBuilder(10)
      builder.addChart('a', 0)
      await appendOk(store, builder)
      builder.addChart('b', 4)
      const second = await appendOk(store, builder, { createdAt: new Date('2024-03-01T00:00:00.000Z') })
      const materialized = await store.materialized(builder.canvasId)
      assert.is(materialized?.version, 2)
      assert.equal(materialized?.canvas, builder.recorded.get(2))
      assert.is(materialized?.updatedAt.toISOString(), second.createdAt.toISOString())
    }),
  )

  test(
    'prune deletes old versions but keeps the newest and every keyframe and delta a kept version needs',
    withHarness(async ({ store }) => {
      const builder = new HistoryBuilder(4)
      const base = Date.parse('2020-01-01T00:00:00.000Z')
      // Versions 1..10 on days 1..10: keyframes at 1, 5, 9.
      for (let day = 1; day <= 10; day++) {
        builder.addChart(`d${day}`, day)
        await appendOk(store, builder, { createdAt: new Date(base + day * DAY_MS) })
      }
      const other = new HistoryBuilder(4)
      other.addChart('x', 0)
      await appendOk(store, other, { createdAt: new Date(base + DAY_MS) })
      // Cutoff after day 6: versions 7..10 are recent; 7 is rebuilt from keyframe 5 and delta 6.
      const cutoff = new Date(base + 6.5 * DAY_MS)
      const dry = await store.prune(builder.canvasId, cutoff, { dryRun: true })
      assert.equal(dry, { deleted: [1, 2, 3, 4], keptOlder: [5, 6] })
      assert.is((await store.list(builder.canvasId, { before: null, limit: 50 })).versions.length, 10)

      const listed = await store.canvasesWithVersionsBefore(cutoff, { after: null, limit: 500 })
      assert.ok(listed.includes(builder.canvasId) && listed.includes(other.canvasId))
      const sorted = [...listed].sort()
      assert.equal(listed, sorted, 'ascending ids')
      const paged = await store.canvasesWithVersionsBefore(cutoff, { after: builder.canvasId, limit: 500 })
      assert.ok(paged.every((id) => id > builder.canvasId))

      assert.equal(await store.prune(builder.canvasId, cutoff, { dryRun: false }), dry)
      assert.equal(
        (await store.list(builder.canvasId, { before: null, limit: 50 })).versions.map((v) => v.version),
        [10, 9, 8, 7, 6, 5],
      )
      for (let version = 5; version <= 10; version++) {
        const chain = await store.readChain(builder.canvasId, version)
        assert.ok(chain !== null, `version ${version} still rebuilds`)
        assert.equal(rebuild(chain), builder.recorded.get(version))
      }
      assert.is(await store.readChain(builder.canvasId, 3), null)

      // Everything older than the cutoff: only the newest version (and its chain) survives.
      const all = await store.prune(builder.canvasId, new Date(base + 100 * DAY_MS), { dryRun: false })
      assert.equal(all, { deleted: [5, 6, 7, 8], keptOlder: [9, 10] })
      assert.equal(rebuild((await store.readChain(builder.canvasId, 10)) ?? []), builder.recorded.get(10))
      assert.equal(await store.prune(randomUUID(), cutoff, { dryRun: false }), { deleted: [], keptOlder: [] })
    }),
  )

  test(
    'deleteCanvas removes every version and the materialized canvas, and only that canvas',
    withHarness(async ({ store }) => {
      const builder = new HistoryBuilder(2)
      const other = new HistoryBuilder(2)
      for (let i = 0; i < 3; i++) {
        builder.addChart(`e${i}`, i)
        await appendOk(store, builder)
      }
      other.addChart('kept', 0)
      await appendOk(store, other)
      assert.is(await store.deleteCanvas(builder.canvasId), 3)
      assert.is(await store.latest(builder.canvasId), null)
      assert.is(await store.materialized(builder.canvasId), null)
      assert.is((await store.latest(other.canvasId))?.version, 1)
      assert.ok((await store.materialized(other.canvasId)) !== null)
      assert.is(await store.deleteCanvas(randomUUID()), 0)
    }),
  )

  test.run()
}
