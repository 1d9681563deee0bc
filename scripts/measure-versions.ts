/**
 * Measures what versioning a large canvas costs: time to encode and store a keyframe and a delta version of a
 * ~1 MiB canvas, a cold rebuild, and the longest event-loop stall meanwhile (what other canvases on this process
 * would wait). Uses DATABASE_URL (PostgreSQL) when set, else an in-memory PGlite (embedded: its queries run on
 * this thread, so its stalls include the database's own work).
 *
 *   npx tsx scripts/measure-versions.ts [target KiB, default 1024]
 */
import { randomUUID } from 'node:crypto'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import * as Y from 'yjs'
import { MemoryLockManager } from '../persistence/memory/locks.ts'
import { openSqlDatabase } from '../persistence/sql/connect.ts'
import { SqlVersionStore } from '../persistence/sql/version-store.ts'
import { migrateToLatest } from '../schema/migrate.ts'
import { parseConfig } from '../server/config.ts'
import { versionDoc } from '../server/history/states.ts'
import { VersionWriter } from '../server/history/version-writer.ts'
import { createLogger } from '../server/logger.ts'
import { addBlock, initCanvasDoc, insertNarrativeText } from '../shared/canvas/index.ts'

const AUTHOR = '00000000-0000-4000-8000-00000000000a'
const DEFAULT_TARGET_KIB = 1024
const SIZE_CHECK_EVERY_BLOCKS = 16
const EDITS_PER_BLOCK = 5
const STALL_SETTLE_MS = 20
const PARAGRAPH = 'Revenue grew in every region, led by APAC. '.repeat(40)

function largeCanvas(targetBytes: number): Y.Doc {
  const doc = new Y.Doc()
  initCanvasDoc(doc, { name: 'Large' })
  for (
    let i = 0;
    i % SIZE_CHECK_EVERY_BLOCKS !== 0 || Y.encodeStateAsUpdate(doc).byteLength < targetBytes;
    i++
  ) {
    addBlock(doc, {
      id: `n${i}`,
      type: 'narrative',
      position: { x: 0, y: i * 2, w: 12, h: 2 },
      content: { text: PARAGRAPH, source: { query: `q${i}`, params: [i, i + 1] } },
      author: AUTHOR,
    })
    // Character edits give the text many items, as typing does.
    for (let k = 0; k < EDITS_PER_BLOCK; k++) insertNarrativeText(doc, `n${i}`, k * 7, 'x', AUTHOR)
  }
  return doc
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; stallMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  const started = performance.now()
  const value = await work()
  const ms = performance.now() - started
  // The histogram records a stall when its next tick finally runs: let it run before reading.
  await new Promise((resolve) => setTimeout(resolve, STALL_SETTLE_MS))
  delay.disable()
  return { value, ms: Math.round(ms), stallMs: Math.round(delay.max / 1e6) }
}

async function main(): Promise<void> {
  const config = parseConfig(process.env)
  const targetKiB = Number(process.argv[2] ?? DEFAULT_TARGET_KIB)
  const db =
    config.databaseUrl === null
      ? openSqlDatabase({ kind: 'pglite', dataDir: null })
      : openSqlDatabase({ kind: 'postgres', url: config.databaseUrl })
  try {
    await migrateToLatest(db)
    const versions = new SqlVersionStore(db)
    const writer = new VersionWriter({
      versions,
      locks: new MemoryLockManager(),
      instanceId: randomUUID(),
      keyframeInterval: config.versioning.keyframeInterval,
      log: createLogger('silent'),
      versionCreated: async () => undefined,
    })
    const doc = largeCanvas(targetKiB * 1024)
    const canvasId = randomUUID()
    const request = {
      trigger: 'quiet',
      label: null,
      authors: [AUTHOR],
      force: false,
      leaseWaitMs: 0,
    } as const
    const keyframe = await timed(() => writer.createVersion(canvasId, doc, request))
    insertNarrativeText(doc, 'n3', 0, 'Edited. ', AUTHOR)
    const delta = await timed(() => writer.createVersion(canvasId, doc, request))
    writer.forget(canvasId)
    insertNarrativeText(doc, 'n4', 0, 'Edited. ', AUTHOR)
    const coldDelta = await timed(() => writer.createVersion(canvasId, doc, request))
    const rebuild = await timed(() => versionDoc(versions, canvasId, 3))
    rebuild.value?.destroy()
    const bytes = (outcome: typeof keyframe.value) =>
      outcome.kind === 'created' ? outcome.info.dataBytes : 0
    console.log(
      JSON.stringify(
        {
          database: config.databaseUrl === null ? 'pglite (in-memory)' : 'postgresql',
          canvasBytes: Y.encodeStateAsUpdate(doc).byteLength,
          keyframeVersion: {
            ms: keyframe.ms,
            longestStallMs: keyframe.stallMs,
            bytes: bytes(keyframe.value),
          },
          deltaVersion: { ms: delta.ms, longestStallMs: delta.stallMs, bytes: bytes(delta.value) },
          deltaVersionColdParent: { ms: coldDelta.ms, longestStallMs: coldDelta.stallMs },
          rebuildVersion: { ms: rebuild.ms, longestStallMs: rebuild.stallMs },
        },
        null,
        2,
      ),
    )
    writer.close()
  } finally {
    await db.destroy()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
