import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { addBlock, moveBlock, toCanvasJSON } from '../shared/canvas/index.ts'
import { ApiClient, addProjectMember, createWorkspace, type TestWorkspace } from './support/api.ts'
import { type CollabClient, connectSynced, waitConverged } from './support/clients.ts'
import { collectNotices } from './support/notices.ts'
import { type RedisProcess, startRedisProcess } from './support/redis-process.ts'
import { type ServerProcess, startServerProcess } from './support/server-process.ts'
import { createTestPostgres, requireServices, type TestPostgres } from './support/services.ts'
import { waitFor } from './support/wait.ts'

/**
 * Two real server processes sharing one Redis (bus, sessions, presence, locks) and one PostgreSQL (metadata and
 * documents). Redis is a private redis-server so the test can restart it.
 */
interface Context {
  redis: RedisProcess | null
  database: TestPostgres | null
  a: ServerProcess
  b: ServerProcess
  ws: TestWorkspace
  clients: CollabClient[]
}

const test = suite<Context>('scale-out: two instances on one Redis and one PostgreSQL')

const PRESENCE_TTL_MS = 1500

test.before(async (context) => {
  context.clients = []
  context.database = await createTestPostgres()
  context.redis = await startRedisProcess()
  if (context.redis === null && requireServices)
    throw new Error('redis-server binary not found (REQUIRE_SERVICES=1)')
  if (context.database === null || context.redis === null) return
  const env = {
    DATABASE_URL: context.database.url,
    REDIS_URL: context.redis.url,
    PRESENCE_TTL_MS: String(PRESENCE_TTL_MS),
    PRESENCE_WRITE_INTERVAL_MS: '100',
  }
  // Start one first so migrations run once, then the second.
  context.a = await startServerProcess({ env })
  context.b = await startServerProcess({ env })
  context.ws = await createWorkspace(context.a.httpUrl, 'scale')
})

test.after.each((context) => {
  for (const client of context.clients.splice(0)) client.destroy()
})

test.after(async (context) => {
  await Promise.all([context.a?.stop('SIGKILL'), context.b?.stop('SIGKILL')])
  await context.redis?.stop()
  await context.database?.drop()
})

const ready = (context: Context) => context.database !== null && context.redis !== null

async function connect(context: Context, server: ServerProcess, canvasId = context.ws.canvasId) {
  const client = await connectSynced(server.wsUrl, canvasId, context.ws.token)
  context.clients.push(client)
  return client
}

test("clients on different instances converge and see each other's cursors", async (context) => {
  if (!ready(context)) return
  const onA = await connect(context, context.a)
  const onB = await connect(context, context.b)
  addBlock(onA.doc, { id: 'block_a', type: 'chart', position: { x: 0, y: 0, w: 6, h: 2 }, author: 'a' })
  addBlock(onB.doc, { id: 'block_b', type: 'table', position: { x: 6, y: 0, w: 6, h: 2 }, author: 'b' })
  await waitConverged([onA.doc, onB.doc])
  moveBlock(onB.doc, 'block_a', { x: 0, y: 3 }, 'b')
  await waitConverged([onA.doc, onB.doc])
  assert.equal(toCanvasJSON(onA.doc), toCanvasJSON(onB.doc))

  onA.provider.awareness.setLocalStateField('cursor', { x: 10, y: 20 })
  const seen = await waitFor('cursor from the other instance', () => {
    const state = onB.provider.awareness.getStates().get(onA.doc.clientID)
    return state?.cursor === undefined ? undefined : state
  })
  assert.equal(seen.cursor, { x: 10, y: 20 })
  assert.is((seen.user as { id: string }).id, context.ws.userId, 'the server stamped the authenticated user')
})

test("presence lists users of both instances; a SIGKILLed instance's users vanish within the TTL", async (context) => {
  if (!ready(context)) return
  const canvas = await context.ws.api.json<{ id: string }>(
    'POST',
    `/api/projects/${context.ws.projectId}/canvases`,
    { name: 'Presence' },
    201,
  )
  // A separate instance C, to be killed, plus a client on A.
  const c = await startServerProcess({
    env: {
      DATABASE_URL: context.database!.url,
      REDIS_URL: context.redis!.url,
      PRESENCE_TTL_MS: String(PRESENCE_TTL_MS),
      PRESENCE_WRITE_INTERVAL_MS: '100',
    },
  })
  try {
    const onC = await connect(context, c, canvas.id)
    onC.provider.awareness.setLocalStateField('cursor', { x: 1, y: 1 })
    const api = new ApiClient(context.a.httpUrl, context.ws.token)
    const listed = await waitFor('presence via instance A', async () => {
      const body = await api.json<{ users: Array<{ user_id: string; connections: number }> }>(
        'GET',
        `/api/canvases/${canvas.id}/presence`,
      )
      return body.users.length === 1 ? body.users : undefined
    })
    assert.is(listed[0]?.user_id, context.ws.userId)
    const counts = await api.json<{ canvases: Array<{ canvas_id: string; users: number }> }>(
      'GET',
      `/api/projects/${context.ws.projectId}/presence`,
    )
    assert.is(counts.canvases.find((entry) => entry.canvas_id === canvas.id)?.users, 1)
    await c.stop('SIGKILL')
    onC.destroy()
    const killedAt = Date.now()
    await waitFor(
      "the dead instance's users to vanish",
      async () => {
        const body = await api.json<{ users: unknown[] }>('GET', `/api/canvases/${canvas.id}/presence`)
        return body.users.length === 0 ? true : undefined
      },
      PRESENCE_TTL_MS * 4,
    )
    assert.ok(Date.now() - killedAt < PRESENCE_TTL_MS * 4)
  } finally {
    await c.stop('SIGKILL')
  }
})

test('a lease taken through one instance is enforced on the other; the holder leaving releases it', async (context) => {
  if (!ready(context)) return
  const canvas = await context.ws.api.json<{ id: string }>(
    'POST',
    `/api/projects/${context.ws.projectId}/canvases`,
    { name: 'Locks across instances' },
    201,
  )
  const bob = await addProjectMember(context.ws, 'editor', 'bob')
  const holder = await connect(context, context.a, canvas.id)
  const bobOnB = await connectSynced(context.b.wsUrl, canvas.id, bob.token)
  context.clients.push(bobOnB)
  const bobNotices = collectNotices(bobOnB.provider)
  addBlock(holder.doc, { id: 'block_l', type: 'chart', position: { x: 0, y: 0, w: 4, h: 2 }, author: 'a' })
  await waitConverged([holder.doc, bobOnB.doc])
  await new ApiClient(context.a.httpUrl, context.ws.token).json(
    'POST',
    `/api/canvases/${canvas.id}/locks/block_l`,
    {},
    201,
  )
  await waitFor('lease visible on instance B', () =>
    bobNotices.some((n) => n.type === 'locks' && n.locks.some((l) => l.block_id === 'block_l'))
      ? true
      : undefined,
  )
  moveBlock(bobOnB.doc, 'block_l', { x: 5, y: 5 }, 'bob')
  await waitFor('rejection on instance B', () =>
    bobNotices.some((n) => n.type === 'update-rejected' && n.reason === 'block-locked') ? true : undefined,
  )
  const onA = toCanvasJSON(holder.doc).blocks.find((b) => b.id === 'block_l')
  assert.equal(onA?.position, { x: 0, y: 0, w: 4, h: 2 }, 'the refused move never reached instance A')
  // The holder's last connection closes: the lease is released for everyone.
  holder.provider.destroy()
  await waitFor('lease released', async () => {
    const body = await bob.api.json<{ locks: unknown[] }>('GET', `/api/canvases/${canvas.id}/locks`)
    return body.locks.length === 0 ? true : undefined
  })
})

test('Redis restarted mid-session: editing continues and both instances converge within 5 s', async (context) => {
  if (!ready(context)) return
  const canvas = await context.ws.api.json<{ id: string }>(
    'POST',
    `/api/projects/${context.ws.projectId}/canvases`,
    { name: 'Outage' },
    201,
  )
  const onA = await connect(context, context.a, canvas.id)
  const onB = await connect(context, context.b, canvas.id)
  const peerOnA = await connect(context, context.a, canvas.id)
  addBlock(onA.doc, { id: 'block_before', type: 'chart', position: { x: 0, y: 0, w: 2, h: 2 }, author: 'a' })
  await waitConverged([onA.doc, onB.doc, peerOnA.doc])

  await context.redis!.stop()
  // Local editing continues on each instance while Redis is down.
  addBlock(onA.doc, {
    id: 'block_during_a',
    type: 'chart',
    position: { x: 2, y: 0, w: 2, h: 2 },
    author: 'a',
  })
  addBlock(onB.doc, {
    id: 'block_during_b',
    type: 'table',
    position: { x: 4, y: 0, w: 2, h: 2 },
    author: 'b',
  })
  await waitConverged([onA.doc, peerOnA.doc])
  assert.ok(toCanvasJSON(peerOnA.doc).blocks.some((block) => block.id === 'block_during_a'))

  await context.redis!.start()
  const back = Date.now()
  await waitConverged([onA.doc, onB.doc, peerOnA.doc], 5000)
  const converged = Date.now() - back
  const ids = toCanvasJSON(onA.doc).blocks.map((block) => block.id)
  assert.equal(ids.sort(), ['block_before', 'block_during_a', 'block_during_b'])

  // The servers' own documents are identical too (sessions lived in Redis: log in again).
  const login = await new ApiClient(context.a.httpUrl).json<{ token: string }>('POST', '/api/auth/login', {
    email: context.ws.email,
    password: context.ws.password,
  })
  const states = await Promise.all(
    [context.a, context.b].map(async (server) => {
      const body = await new ApiClient(server.httpUrl, login.token).json<{ document: unknown }>(
        'GET',
        `/api/canvases/${canvas.id}`,
      )
      return JSON.stringify(body.document)
    }),
  )
  assert.is(states[0], states[1])
  assert.ok(converged <= 5000, `converged after ${converged} ms`)
  const reference = new Y.Doc()
  Y.applyUpdate(reference, Y.encodeStateAsUpdate(onB.doc))
  assert.equal(toCanvasJSON(reference), toCanvasJSON(onA.doc))
})

test.run()
