import { randomUUID } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { MemoryLockManager } from '../../persistence/memory/locks.ts'
import type { VersionStore } from '../../persistence/ports.ts'
import { openSqlDatabase } from '../../persistence/sql/connect.ts'
import { SqlVersionStore } from '../../persistence/sql/version-store.ts'
import { migrateToLatest } from '../../schema/migrate.ts'
import {
  addBlock,
  type CanvasJSON,
  deleteBlock,
  initCanvasDoc,
  insertNarrativeText,
  moveBlock,
  resizeBlock,
  toCanvasJSON,
  updateBlockContent,
} from '../../shared/canvas/index.ts'
import { createLogger } from '../logger.ts'
import { replayVersions, versionDoc } from './states.ts'
import { VersionWriter, versionLeaseKey } from './version-writer.ts'

const log = createLogger('silent')
const AUTHOR = '00000000-0000-4000-8000-00000000000a'
const HISTORY_LENGTH = 200
const KEYFRAME_INTERVAL = 10
const RACE_ROUNDS = 15

interface Context {
  versions: VersionStore
  close: () => Promise<void>
}

const test = suite<{ ctx: Context | null }>('VersionWriter', { ctx: null })

function requireCtx(context: { ctx: Context | null }): Context {
  if (context.ctx === null) throw new Error('the database did not start (see the first failure)')
  return context.ctx
}

function writer(versions: VersionStore, locks = new MemoryLockManager(), instanceId: string = randomUUID()) {
  return new VersionWriter({
    versions,
    locks,
    instanceId,
    keyframeInterval: KEYFRAME_INTERVAL,
    log,
    versionCreated: async () => undefined,
  })
}

const request = { trigger: 'quiet', label: null, authors: [AUTHOR], force: false, leaseWaitMs: 0 } as const

/** A deterministic pseudo-random edit of the canvas (no Math.random: failures must reproduce). */
function edit(doc: Y.Doc, step: number): void {
  const ids = [...doc.getMap('blocks').keys()].sort()
  const pick = ids[(step * 7) % Math.max(ids.length, 1)]
  switch (ids.length < 3 ? 0 : step % 6) {
    case 0:
      addBlock(doc, {
        id: `b${step}`,
        type: step % 2 === 0 ? 'narrative' : 'chart',
        position: { x: step % 6, y: step, w: 3, h: 2 },
        content: step % 2 === 0 ? { text: `Block ${step}.` } : { title: `Chart ${step}` },
        author: AUTHOR,
      })
      return
    case 1:
      if (pick !== undefined) moveBlock(doc, pick, { x: (step * 3) % 9, y: step * 2 }, AUTHOR)
      return
    case 2:
      if (pick !== undefined) resizeBlock(doc, pick, { w: 1 + (step % 3), h: 1 + (step % 5) }, AUTHOR)
      return
    case 3:
      if (pick !== undefined) updateBlockContent(doc, pick, { note: `step ${step}` }, AUTHOR)
      return
    case 4: {
      const narrative = ids.find(
        (id) =>
          doc.getMap('blocks').get(id) instanceof Y.Map &&
          id.startsWith('b') &&
          Number(id.slice(1)) % 2 === 0,
      )
      if (narrative !== undefined) insertNarrativeText(doc, narrative, 0, `[${step}]`, AUTHOR)
      return
    }
    default:
      if (pick !== undefined) deleteBlock(doc, pick)
  }
}

test.before(async (context) => {
  const db = openSqlDatabase({ kind: 'pglite', dataDir: null })
  await migrateToLatest(db)
  context.ctx = { versions: new SqlVersionStore(db), close: () => db.destroy() }
})

test.after(async (context) => {
  await context.ctx?.close()
})

test(`every version of a ${HISTORY_LENGTH}-version history rebuilds to the state recorded when it was made`, async (context) => {
  const { versions } = requireCtx(context)
  const canvasId = randomUUID()
  const doc = new Y.Doc()
  initCanvasDoc(doc, { name: 'Long history' })
  const w = writer(versions)
  const recorded: CanvasJSON[] = []
  for (let step = 1; step <= HISTORY_LENGTH; step++) {
    edit(doc, step)
    const outcome = await w.createVersion(canvasId, doc, { ...request, force: true })
    assert.is(outcome.kind, 'created')
    if (outcome.kind === 'created') {
      assert.is(outcome.info.version, step)
      assert.equal(outcome.canvas, toCanvasJSON(doc), `version ${step} records the source`)
      recorded.push(outcome.canvas)
    }
  }
  for (let version = 1; version <= HISTORY_LENGTH; version++) {
    const chain = await versions.readChain(canvasId, version)
    assert.ok(chain !== null && chain.length <= KEYFRAME_INTERVAL, `version ${version}: bounded chain`)
    const rebuilt = await versionDoc(versions, canvasId, version)
    assert.ok(rebuilt !== null)
    assert.equal(toCanvasJSON(rebuilt), recorded[version - 1], `state of version ${version}`)
    rebuilt.destroy()
  }
  let replayed = 0
  for await (const { info, doc: state } of replayVersions(versions, canvasId, 1, HISTORY_LENGTH)) {
    assert.equal(toCanvasJSON(state), recorded[info.version - 1], `replayed version ${info.version}`)
    replayed++
  }
  assert.is(replayed, HISTORY_LENGTH)
  w.close()
})

test('nothing changed: no version unless forced; the first version needs content', async (context) => {
  const { versions } = requireCtx(context)
  const canvasId = randomUUID()
  const w = writer(versions)
  const empty = new Y.Doc()
  assert.equal(await w.createVersion(canvasId, empty, request), { kind: 'unchanged', latest: null })
  const doc = new Y.Doc()
  initCanvasDoc(doc, { name: 'C' })
  const first = await w.createVersion(canvasId, doc, request)
  assert.is(first.kind, 'created')
  const again = await w.createVersion(canvasId, doc, request)
  assert.is(again.kind, 'unchanged')
  const forced = await w.createVersion(canvasId, doc, { ...request, force: true, label: 'Named' })
  assert.is(forced.kind === 'created' ? forced.info.version : null, 2)
  assert.equal(forced.kind === 'created' ? forced.info.summary.changes : null, [])
  // A deletion alone (no new structs, only the delete set grows) is a change.
  addBlock(doc, { id: 'x', type: 'table', position: { x: 0, y: 0, w: 1, h: 1 }, author: AUTHOR })
  await w.createVersion(canvasId, doc, request)
  deleteBlock(doc, 'x')
  const deleted = await w.createVersion(canvasId, doc, request)
  assert.is(deleted.kind === 'created' ? deleted.info.summary.counts.block_removed : null, 1)
})

test('a version is the union of its parent and the source, even when the source lags behind the parent', async (context) => {
  const { versions } = requireCtx(context)
  const canvasId = randomUUID()
  const base = new Y.Doc()
  initCanvasDoc(base, { name: 'Two instances' })
  const a = new Y.Doc()
  const b = new Y.Doc()
  Y.applyUpdate(a, Y.encodeStateAsUpdate(base))
  Y.applyUpdate(b, Y.encodeStateAsUpdate(base))
  addBlock(a, { id: 'from-a', type: 'chart', position: { x: 0, y: 0, w: 2, h: 2 }, author: AUTHOR })
  addBlock(b, { id: 'from-b', type: 'chart', position: { x: 0, y: 3, w: 2, h: 2 }, author: AUTHOR })
  const locks = new MemoryLockManager()
  await writer(versions, locks, 'instance-a').createVersion(canvasId, a, request)
  const outcome = await writer(versions, locks, 'instance-b').createVersion(canvasId, b, request)
  assert.ok(outcome.kind === 'created')
  const ids = outcome.canvas.blocks.map((block) => block.id)
  assert.equal(ids, ['from-a', 'from-b'])
  const rebuilt = await versionDoc(versions, canvasId, outcome.info.version)
  assert.equal(rebuilt === null ? null : toCanvasJSON(rebuilt), outcome.canvas)
})

test('two instances writing the same canvas never create the same number', async (context) => {
  const { versions } = requireCtx(context)
  const canvasId = randomUUID()
  // Separate lock managers: no shared lease, so only the store's uniqueness keeps the numbers apart.
  const writers = [
    writer(versions, new MemoryLockManager(), 'one'),
    writer(versions, new MemoryLockManager(), 'two'),
  ]
  const docs = [new Y.Doc(), new Y.Doc()]
  for (const doc of docs) initCanvasDoc(doc, { name: 'Race' })
  const created: number[] = []
  const recorded = new Map<number, CanvasJSON>()
  for (let round = 0; round < RACE_ROUNDS; round++) {
    docs.forEach((doc, i) => {
      addBlock(doc, {
        id: `r${round}-${i}`,
        type: 'table',
        position: { x: i, y: round, w: 1, h: 1 },
        author: AUTHOR,
      })
    })
    const outcomes = await Promise.all(
      writers.map((w, i) => w.createVersion(canvasId, docs[i] ?? new Y.Doc(), request)),
    )
    for (const outcome of outcomes) {
      if (outcome.kind !== 'created') continue
      created.push(outcome.info.version)
      recorded.set(outcome.info.version, outcome.canvas)
    }
  }
  const sorted = [...created].sort((x, y) => x - y)
  assert.equal(
    sorted,
    Array.from({ length: sorted.length }, (_, i) => i + 1),
    'gap-free, no duplicates',
  )
  assert.ok(sorted.length >= RACE_ROUNDS, `at least one version per round (${sorted.length})`)
  for (const [version, canvas] of recorded) {
    const rebuilt = await versionDoc(versions, canvasId, version)
    assert.equal(rebuilt === null ? null : toCanvasJSON(rebuilt), canvas, `version ${version}`)
  }
})

test('a canvas whose lease another instance holds is busy (or waits for it)', async (context) => {
  const { versions } = requireCtx(context)
  const canvasId = randomUUID()
  const locks = new MemoryLockManager()
  const held = await locks.acquire(versionLeaseKey(canvasId), 'version-writer', 'other-instance', 60_000)
  assert.ok(held.ok)
  const doc = new Y.Doc()
  initCanvasDoc(doc, { name: 'Busy' })
  const w = writer(versions, locks, 'this-instance')
  assert.equal(await w.createVersion(canvasId, doc, request), { kind: 'busy' })
  const waiting = w.createVersion(canvasId, doc, { ...request, leaseWaitMs: 5000 })
  if (held.ok) await locks.release(versionLeaseKey(canvasId), 'version-writer', held.lease.token)
  assert.is((await waiting).kind, 'created')
  assert.equal(await locks.list(canvasId), [], 'block lock listings never show version leases')
})

test.run()
