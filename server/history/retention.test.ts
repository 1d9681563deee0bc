import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import type { Kysely } from 'kysely'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { MemoryLockManager } from '../../persistence/memory/locks.ts'
import { SqlCommentStore } from '../../persistence/sql/comment-store.ts'
import { openSqlDatabase } from '../../persistence/sql/connect.ts'
import { DeletedCanvasStore } from '../../persistence/sql/deleted-canvases.ts'
import { SqlDocumentStore } from '../../persistence/sql/document-store.ts'
import { SqlVersionStore } from '../../persistence/sql/version-store.ts'
import type { Database } from '../../schema/database.ts'
import { migrateToLatest } from '../../schema/migrate.ts'
import { addBlock, initCanvasDoc } from '../../shared/canvas/index.ts'
import { tempDataDir } from '../../test/support/server-process.ts'
import { createLogger } from '../logger.ts'
import { cutoffsFor, runRetention } from './retention.ts'
import { VersionWriter } from './version-writer.ts'

const DAY_MS = 86_400_000
const NOW = new Date('2031-06-01T00:00:00.000Z')
const POLICY = { versionDays: 365, deletedCanvasDays: 90, deletedCommentDays: 30 }
const KEYFRAME_INTERVAL = 4
const ROOT = resolve(import.meta.dirname, '..', '..')
const run = promisify(execFile)

/** A user, organization and project to hang canvases on. */
async function owner(db: Kysely<Database>) {
  const organization = await db
    .insertInto('organizations')
    .values({ name: 'Retention', slug: `r-${randomUUID()}`, settings: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow()
  const user = await db
    .insertInto('users')
    .values({
      email: `${randomUUID()}@example.com`,
      username: randomUUID(),
      organization_id: organization.id,
      settings: '{}',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const project = await db
    .insertInto('projects')
    .values({ name: 'P', organization_id: organization.id, owner_id: user.id, settings: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { userId: user.id, projectId: project.id }
}

/**
 * A synthetic history: `canvases` canvas rows with a journaled document, ten versions each (one per 100 days up
 * to `now`), two comments (one deleted 60 days ago, one live), and the first canvas soft-deleted 200 days ago.
 */
async function seed(db: Kysely<Database>, canvases: number, now: Date) {
  const { userId, projectId } = await owner(db)
  const versions = new SqlVersionStore(db)
  const documents = new SqlDocumentStore(db)
  const ids: string[] = []
  for (let c = 0; c < canvases; c++) {
    const row = await db
      .insertInto('canvases')
      .values({ project_id: projectId, name: `canvas ${c}`, owner_id: userId })
      .returning('id')
      .executeTakeFirstOrThrow()
    ids.push(row.id)
    const doc = new Y.Doc()
    initCanvasDoc(doc, { name: `canvas ${c}` })
    await documents.appendJournal([{ canvasId: row.id, update: Y.encodeStateAsUpdate(doc), authorId: null }])
    let clock = now.getTime() - 1000 * DAY_MS
    const writer = new VersionWriter({
      versions,
      locks: new MemoryLockManager(),
      instanceId: 'seed',
      keyframeInterval: KEYFRAME_INTERVAL,
      log: createLogger('silent'),
      versionCreated: async () => undefined,
      now: () => new Date(clock),
    })
    for (let v = 1; v <= 10; v++) {
      clock += 100 * DAY_MS
      addBlock(doc, { id: `b${v}`, type: 'table', position: { x: 0, y: v, w: 2, h: 1 }, author: userId })
      const request = { trigger: 'quiet', label: null, authors: [], force: false, leaseWaitMs: 0 } as const
      await writer.createVersion(row.id, doc, request)
    }
    writer.close()
    let commentClock = now.getTime() - 60 * DAY_MS
    const comments = new SqlCommentStore(db, { now: () => new Date(commentClock) })
    const gone = await comments.create({ canvasId: row.id, authorId: userId, body: 'gone', blockId: null })
    await comments.delete(row.id, gone.id)
    commentClock = now.getTime()
    await comments.create({ canvasId: row.id, authorId: userId, body: 'live', blockId: null })
  }
  const deletedId = ids[0] ?? ''
  await db
    .updateTable('canvases')
    .set({ deleted_at: new Date(now.getTime() - 200 * DAY_MS) })
    .where('id', '=', deletedId)
    .execute()
  return { ids, deletedId }
}

const test = suite('retention')

test('dry run reports and changes nothing; the real run purges, prunes and keeps what kept versions need', async () => {
  const db = openSqlDatabase({ kind: 'pglite', dataDir: null })
  try {
    await migrateToLatest(db)
    const { ids, deletedId } = await seed(db, 3, NOW)
    const deps = {
      versions: new SqlVersionStore(db),
      comments: new SqlCommentStore(db),
      documents: new SqlDocumentStore(db),
      deletedCanvases: new DeletedCanvasStore(db),
    }
    const cutoffs = cutoffsFor(POLICY, NOW)
    const countRows = async () => ({
      versions: (await db.selectFrom('canvas_versions').select('version').execute()).length,
      comments: (await db.selectFrom('canvas_comments').select('id').execute()).length,
      canvases: (await db.selectFrom('canvases').select('id').execute()).length,
      journal: (await db.selectFrom('canvas_journal').select('seq').execute()).length,
    })
    const before = await countRows()
    assert.equal(before, { versions: 30, comments: 6, canvases: 3, journal: 3 })

    const dry = await runRetention(deps, cutoffs, { dryRun: true })
    assert.equal(await countRows(), before, 'a dry run writes nothing')
    assert.equal(
      dry.canvases.map((canvas) => canvas.id),
      [deletedId],
    )
    // Version k was made 1000 - 100k days before NOW: the 365-day cutoff keeps versions 7..10; 7 is rebuilt from
    // keyframe 5 (keyframes are 1, 5, 9), so 5 and 6 stay and 1..4 go, on each of the 3 canvases.
    assert.equal(dry.versions, { canvases: 3, deleted: 12, keptForChains: 6 })
    assert.is(dry.comments.purged, 3, 'comments deleted 60 days ago, past the 30-day retention')

    const real = await runRetention(deps, cutoffs, { dryRun: false })
    assert.equal(real.canvases, [
      {
        id: deletedId,
        name: 'canvas 0',
        deletedAt: dry.canvases[0]?.deletedAt ?? '',
        versions: 10,
        comments: 2,
      },
    ])
    assert.equal(real.versions, { canvases: 2, deleted: 8, keptForChains: 4 })
    assert.is(real.comments.purged, 2, "the purged canvas's deleted comment went with it")
    assert.equal(await countRows(), { versions: 12, comments: 2, canvases: 2, journal: 2 })
    for (const canvasId of ids.filter((id) => id !== deletedId)) {
      for (let version = 5; version <= 10; version++) {
        assert.ok((await deps.versions.readChain(canvasId, version)) !== null, `version ${version} rebuilds`)
      }
    }
    assert.equal(await deps.documents.loadDocument(deletedId), { state: null, stateSeq: 0, journal: [] })

    const again = await runRetention(deps, cutoffs, { dryRun: false })
    assert.equal(again.canvases, [])
    assert.equal(again.versions.deleted, 0)
    assert.is(again.comments.purged, 0)
  } finally {
    await db.destroy()
  }
})

test('npm run retention: its own composition root, --dry-run then a real run', async () => {
  const data = tempDataDir()
  try {
    const db = openSqlDatabase({ kind: 'pglite', dataDir: join(data.dir, 'pglite') })
    let deletedId: string
    try {
      await migrateToLatest(db)
      ;({ deletedId } = await seed(db, 1, new Date()))
    } finally {
      await db.destroy()
    }
    // The script runs on the real clock, as the seed did; the canvas was deleted 200 days ago.
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATA_DIR: data.dir,
      RETENTION_DELETED_CANVAS_DAYS: '90',
    }
    const script = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'scripts/retention.ts', ...args], { cwd: ROOT, env })
    const dry = JSON.parse((await script('--dry-run')).stdout) as {
      dryRun: boolean
      canvases: { id: string }[]
    }
    assert.is(dry.dryRun, true)
    assert.equal(
      dry.canvases.map((canvas) => canvas.id),
      [deletedId],
    )
    const real = JSON.parse((await script()).stdout) as { dryRun: boolean; canvases: { versions: number }[] }
    assert.is(real.dryRun, false)
    assert.equal(
      real.canvases.map((canvas) => canvas.versions),
      [10],
    )
    const refused = await script('--everything').then(
      () => 'accepted',
      (error: unknown) => String(error),
    )
    assert.match(refused, /unknown arguments/)
  } finally {
    data.remove()
  }
})

test.run()
