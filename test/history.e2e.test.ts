import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import {
  addBlock,
  type CanvasJSON,
  insertNarrativeText,
  moveBlock,
  toCanvasJSON,
  updateBlockContent,
} from '../shared/canvas/index.ts'
import type { VersionDetail, VersionListItem, VersionListResponse } from '../shared/history-api.ts'
import { ApiClient, createWorkspace, type TestWorkspace } from './support/api.ts'
import { type CollabClient, connectSynced, waitConverged } from './support/clients.ts'
import { type RedisProcess, startRedisProcess } from './support/redis-process.ts'
import { type ServerProcess, startServerProcess } from './support/server-process.ts'
import { createTestPostgres, requireServices, type TestPostgres } from './support/services.ts'
import { waitFor } from './support/wait.ts'

/** Short enough for a quick suite, long enough that a burst of edits 100 ms apart never looks quiet. */
const QUIET_MS = 400
const MAX_INTERVAL_MS = 1500
const EDIT_EVERY_MS = 100
const VERSION_TIMEOUT_MS = 15_000

async function versionsOf(api: ApiClient, canvasId: string): Promise<VersionListItem[]> {
  const page = await api.json<VersionListResponse>('GET', `/api/canvases/${canvasId}/versions?limit=200`)
  return [...page.versions]
}

async function versionWhere(
  api: ApiClient,
  canvasId: string,
  what: string,
  match: (version: VersionListItem) => boolean,
): Promise<VersionListItem> {
  return waitFor(what, async () => (await versionsOf(api, canvasId)).find(match), VERSION_TIMEOUT_MS, 50)
}

async function documentAt(api: ApiClient, canvasId: string, version: number): Promise<CanvasJSON> {
  return (await api.json<VersionDetail>('GET', `/api/canvases/${canvasId}/versions/${version}`)).document
}

async function newCanvas(ws: TestWorkspace, name: string): Promise<string> {
  const canvas = await ws.api.json<{ id: string }>(
    'POST',
    `/api/projects/${ws.projectId}/canvases`,
    { name },
    201,
  )
  return canvas.id
}

// ---------------------------------------------------------------------------------------------------------------

interface Single {
  server: ServerProcess
  ws: TestWorkspace
  clients: CollabClient[]
}

const single = suite<Single>('versions on a real server with stock y-websocket clients')

single.before(async (context) => {
  context.clients = []
  context.server = await startServerProcess({
    env: { VERSION_QUIET_MS: String(QUIET_MS), VERSION_MAX_INTERVAL_MS: String(MAX_INTERVAL_MS) },
  })
  context.ws = await createWorkspace(context.server.httpUrl, 'history')
})

single.after.each((context) => {
  for (const client of context.clients.splice(0)) client.destroy()
})

single.after(async (context) => {
  await context.server?.stop()
})

async function join(context: Single, canvasId: string): Promise<CollabClient> {
  const client = await connectSynced(context.server.wsUrl, canvasId, context.ws.token)
  context.clients.push(client)
  return client
}

single('edits, then quiet: a version with the edit and its author', async (context) => {
  const canvasId = await newCanvas(context.ws, 'Quiet')
  const client = await join(context, canvasId)
  addBlock(client.doc, {
    id: 'q',
    type: 'chart',
    position: { x: 0, y: 0, w: 6, h: 3 },
    author: context.ws.userId,
  })
  const version = await versionWhere(
    context.ws.api,
    canvasId,
    'a quiet version',
    (v) => v.trigger === 'quiet',
  )
  assert.equal([version.version, version.parent_version, version.kind], [1, 0, 'keyframe'])
  assert.equal(version.authors, [context.ws.userId])
  assert.is(version.counts.block_added, 1)
  assert.equal(await documentAt(context.ws.api, canvasId, 1), toCanvasJSON(client.doc))
  const canvas = await context.ws.api.json<{ current_version: number }>('GET', `/api/canvases/${canvasId}`)
  assert.is(canvas.current_version, 1)
})

single('constant editing still gets a version every max interval', async (context) => {
  const canvasId = await newCanvas(context.ws, 'Busy')
  const client = await join(context, canvasId)
  addBlock(client.doc, { id: 'n', type: 'narrative', position: { x: 0, y: 0, w: 12, h: 3 }, author: 'me' })
  let typed = 0
  const typing = setInterval(() => {
    insertNarrativeText(client.doc, 'n', 0, 'x', 'me')
    typed++
  }, EDIT_EVERY_MS)
  try {
    const version = await versionWhere(
      context.ws.api,
      canvasId,
      'an interval version',
      (v) => v.trigger === 'interval',
    )
    // Only the maximum interval makes an 'interval' version: the edits never paused for the quiet period (a
    // stalled machine could still let one quiet version through, which would not make this one less real).
    assert.ok(typed > 0)
    assert.ok(version.counts.block_added + version.counts.narrative_text_changed > 0)
  } finally {
    clearInterval(typing)
  }
})

single('the last client leaving takes a version at unload', async (context) => {
  const canvasId = await newCanvas(context.ws, 'Left')
  const client = await join(context, canvasId)
  addBlock(client.doc, { id: 'u', type: 'table', position: { x: 0, y: 0, w: 4, h: 2 }, author: 'me' })
  await waitFor('the edit to reach the server', async () => {
    const canvas = await context.ws.api.json<{ document: CanvasJSON }>('GET', `/api/canvases/${canvasId}`)
    return canvas.document.blocks.length === 1 ? true : undefined
  })
  // The room unloads 200 ms (ROOM_UNLOAD_GRACE_MS) after the last client left, before the quiet period ends.
  client.destroy()
  const version = await versionWhere(
    context.ws.api,
    canvasId,
    'an unload version',
    (v) => v.trigger === 'unload',
  )
  assert.is(version.counts.block_added, 1)
})

single(
  'restore: connected clients converge to the restored content; a new version; an audit row',
  async (context) => {
    const canvasId = await newCanvas(context.ws, 'Restored')
    const alice = await join(context, canvasId)
    const bob = await join(context, canvasId)
    const me = context.ws.userId
    addBlock(alice.doc, {
      id: 'chart',
      type: 'chart',
      position: { x: 0, y: 0, w: 6, h: 4 },
      content: { title: 'Q4' },
      author: me,
    })
    addBlock(bob.doc, {
      id: 'story',
      type: 'narrative',
      position: { x: 6, y: 0, w: 6, h: 4 },
      content: { text: 'Up.' },
      author: me,
    })
    await waitConverged([alice.doc, bob.doc])
    const good = await context.ws.api.json<VersionListItem>(
      'POST',
      `/api/canvases/${canvasId}/versions`,
      { label: 'good' },
      201,
    )
    const goodDocument = await documentAt(context.ws.api, canvasId, good.version)
    // The version's Yjs state, rebuilt on the server's compaction thread, loads as the same canvas.
    const ydoc = await context.ws.api.raw('GET', `/api/canvases/${canvasId}/versions/${good.version}/ydoc`)
    assert.is(ydoc.status, 200)
    const rebuilt = new Y.Doc()
    Y.applyUpdate(rebuilt, new Uint8Array(await ydoc.arrayBuffer()))
    assert.equal(toCanvasJSON(rebuilt), goodDocument)
    // Then both change things.
    moveBlock(alice.doc, 'chart', { x: 0, y: 8 }, me)
    updateBlockContent(alice.doc, 'chart', { title: 'Q4 (wrong)' }, me)
    insertNarrativeText(bob.doc, 'story', 0, 'Way ', me)
    addBlock(bob.doc, { id: 'extra', type: 'table', position: { x: 0, y: 4, w: 12, h: 2 }, author: me })
    await waitConverged([alice.doc, bob.doc])
    assert.is.not(JSON.stringify(toCanvasJSON(alice.doc)), JSON.stringify(goodDocument))

    const restored = await context.ws.api.json<{ version: VersionListItem; restored_from: number }>(
      'POST',
      `/api/canvases/${canvasId}/versions/${good.version}/restore`,
    )
    assert.is(restored.restored_from, good.version)
    for (const client of [alice, bob]) {
      await waitFor(
        'a client to read as the restored version',
        () => (JSON.stringify(toCanvasJSON(client.doc)) === JSON.stringify(goodDocument) ? true : undefined),
        VERSION_TIMEOUT_MS,
      )
    }
    const versions = await versionsOf(context.ws.api, canvasId)
    const newest = versions[0]
    assert.is(newest?.trigger, 'restore')
    assert.is(newest?.version, restored.version.version)
    assert.is(newest?.parent_version, (newest?.version ?? 0) - 1)
    assert.equal(await documentAt(context.ws.api, canvasId, newest?.version ?? 0), goodDocument)
    const audit = await waitFor('the restore audit row', async () => {
      const page = await context.ws.api.json<{ entries: { action: string; changes: unknown }[] }>(
        'GET',
        `/api/audit-logs?resource_id=${canvasId}&action=canvas.restore`,
      )
      return page.entries[0]
    })
    assert.equal(audit.changes, { restored_from: good.version, version: newest?.version, changed: true })
    // The restore is an ordinary change: clients keep editing on top of it.
    addBlock(alice.doc, { id: 'after', type: 'chart', position: { x: 0, y: 10, w: 2, h: 2 }, author: me })
    await waitConverged([alice.doc, bob.doc])
    assert.ok(toCanvasJSON(bob.doc).blocks.some((block) => block.id === 'after'))
  },
)

single.run()

// ---------------------------------------------------------------------------------------------------------------

interface Pair {
  database: TestPostgres | null
  redis: RedisProcess | null
  a: ServerProcess
  b: ServerProcess
  ws: TestWorkspace
  clients: CollabClient[]
}

const ROUNDS = 6

const pair = suite<Pair>('versions from two instances on one PostgreSQL and Redis')

pair.before(async (context) => {
  context.clients = []
  context.database = await createTestPostgres()
  context.redis = await startRedisProcess()
  if (context.redis === null && requireServices)
    throw new Error('redis-server binary not found (REQUIRE_SERVICES=1)')
  if (context.database === null || context.redis === null) return
  const env = {
    DATABASE_URL: context.database.url,
    REDIS_URL: context.redis.url,
    VERSION_QUIET_MS: '150',
    VERSION_MAX_INTERVAL_MS: '600',
  }
  context.a = await startServerProcess({ env })
  context.b = await startServerProcess({ env })
  context.ws = await createWorkspace(context.a.httpUrl, 'pair')
})

pair.after(async (context) => {
  for (const client of context.clients.splice(0)) client.destroy()
  await Promise.all([context.a?.stop(), context.b?.stop()])
  await context.redis?.stop()
  await context.database?.drop()
})

pair(
  'both instances version the same canvas: gap-free numbers, no duplicates, every version rebuilds',
  async (context) => {
    if (context.database === null || context.redis === null) return
    const { ws } = context
    const onA = await connectSynced(context.a.wsUrl, ws.canvasId, ws.token)
    const onB = await connectSynced(context.b.wsUrl, ws.canvasId, ws.token)
    context.clients.push(onA, onB)
    const apiB = new ApiClient(context.b.httpUrl, ws.token)
    for (let round = 0; round < ROUNDS; round++) {
      addBlock(onA.doc, {
        id: `a${round}`,
        type: 'chart',
        position: { x: 0, y: round * 2, w: 6, h: 2 },
        author: 'a',
      })
      addBlock(onB.doc, {
        id: `b${round}`,
        type: 'table',
        position: { x: 6, y: round * 2, w: 6, h: 2 },
        author: 'b',
      })
      // Named versions on both instances at once, racing the automatic ones.
      const [fromA, fromB] = await Promise.all([
        ws.api.json<VersionListItem>(
          'POST',
          `/api/canvases/${ws.canvasId}/versions`,
          { label: `A${round}` },
          201,
        ),
        apiB.json<VersionListItem>(
          'POST',
          `/api/canvases/${ws.canvasId}/versions`,
          { label: `B${round}` },
          201,
        ),
      ])
      assert.is.not(fromA.version, fromB.version)
    }
    await waitConverged([onA.doc, onB.doc])
    const final = await ws.api.json<VersionListItem>(
      'POST',
      `/api/canvases/${ws.canvasId}/versions`,
      { label: 'final' },
      201,
    )
    const versions = (await versionsOf(ws.api, ws.canvasId)).map((v) => v.version).sort((x, y) => x - y)
    assert.equal(
      versions,
      Array.from({ length: versions.length }, (_, i) => i + 1),
      'gap-free, no duplicates',
    )
    assert.ok(versions.length >= 2 * ROUNDS + 1)
    for (const version of versions) {
      const detail = await apiB.json<VersionDetail>('GET', `/api/canvases/${ws.canvasId}/versions/${version}`)
      assert.is(detail.version, version)
    }
    assert.equal(await documentAt(apiB, ws.canvasId, final.version), toCanvasJSON(onA.doc))
  },
)

pair.run()
