import { createHash } from 'node:crypto'
import { Redis } from 'ioredis'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { addBlock, deleteNarrativeText, toCanvasJSON } from '../shared/canvas/index.ts'
import { CloseCode } from '../shared/close-codes.ts'
import { ApiClient, createWorkspace, type TestWorkspace } from './support/api.ts'
import { type CollabClient, connectClient, waitConverged } from './support/clients.ts'
import {
  type Closed,
  type CollabSocket,
  captureNotices,
  openCollab,
  upgradeStatus,
} from './support/collab-socket.ts'
import { type ServerProcess, startServerProcess, tempDataDir } from './support/server-process.ts'
import { createTestPostgres, createTestRedis } from './support/services.ts'
import { waitFor } from './support/wait.ts'

/** Live revocation must reach open sockets within this long, on every instance. */
const REVOCATION_DEADLINE_MS = 2000
const ALLOWED_ORIGIN = 'https://app.example'
const PASSWORD = 'correct horse battery'
const LOGIN_LIMIT = 5

/**
 * Shared by every server of the suite: small WebSocket budgets (a flood trips them, a stock client never does),
 * audit rows held back for an hour (so only a graceful stop writes them), a small per-account login limit.
 */
const SERVER_ENV: Readonly<Record<string, string>> = {
  ALLOWED_ORIGINS: ALLOWED_ORIGIN,
  WS_MESSAGES_PER_SECOND: '50',
  WS_MESSAGE_BURST: '200',
  AUDIT_FLUSH_INTERVAL_MS: '3600000',
  AUDIT_BATCH_SIZE: '100000',
  RATE_LIMIT_LOGIN_PER_MINUTE: String(LOGIN_LIMIT),
}

interface Cluster {
  /** Where changes are made (HTTP). */
  readonly a: ServerProcess
  /** Where the affected sockets are (the same process when no Redis/PostgreSQL is available). */
  readonly b: ServerProcess
  readonly redisUrl: string | null
  readonly describe: string
  stopAll(): Promise<void>
}

async function startCluster(): Promise<Cluster> {
  const [database, redis] = await Promise.all([createTestPostgres(), createTestRedis()])
  if (database !== null && redis !== null) {
    const env = { ...SERVER_ENV, DATABASE_URL: database.url, REDIS_URL: redis.url }
    const [a, b] = await Promise.all([startServerProcess({ env }), startServerProcess({ env })])
    return {
      a,
      b,
      redisUrl: redis.url,
      describe: 'two instances (PostgreSQL + Redis)',
      async stopAll() {
        await Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')])
        await database.drop()
      },
    }
  }
  await database?.drop()
  const data = tempDataDir()
  const a = await startServerProcess({ env: SERVER_ENV, dataDir: data.dir })
  return {
    a,
    b: a,
    redisUrl: null,
    describe: 'one embedded instance',
    async stopAll() {
      await a.stop('SIGKILL')
      data.remove()
    },
  }
}

interface Ctx {
  cluster: Cluster
  /** Organization admin's workspace (project P, canvas C), created on instance A. */
  ws: TestWorkspace
  other: TestWorkspace
  sockets: CollabSocket[]
  clients: CollabClient[]
}

const test = suite<Ctx>(
  'access end to end: upgrade checks, read-only viewers, live revocation, floods, audit',
)

test.before(async (context) => {
  context.cluster = await startCluster()
  console.log(`  access e2e on ${context.cluster.describe}`)
  context.ws = await createWorkspace(context.cluster.a.httpUrl, 'acc')
  context.other = await createWorkspace(context.cluster.a.httpUrl, 'foreign')
  context.sockets = []
  context.clients = []
})

test.after.each((context) => {
  for (const socket of context.sockets.splice(0)) socket.close()
  for (const client of context.clients.splice(0)) client.destroy()
})

test.after(async (context) => {
  await context.cluster.stopAll()
})

let counter = 0

/** A stock y-websocket client that records notices (installed before it connects, so none is missed). */
async function connectSynced(wsUrl: string, canvasId: string, token: string) {
  const client = connectClient(wsUrl, canvasId, token)
  const notices = captureNotices(client.provider)
  await waitFor('client to sync', () => (client.provider.synced ? true : undefined), 20_000)
  return Object.assign(client, { notices })
}

/** A fresh canvas with a synced editor (the workspace admin) on instance a and a synced project viewer on b. */
async function editorAndViewer(context: Ctx) {
  const { a, b } = context.cluster
  const canvas = await newCanvas(context)
  const viewer = await addUser(context, 'viewer')
  const editor = await connectSynced(a.wsUrl, canvas, context.ws.token)
  context.clients.push(editor)
  const viewing = await connectSynced(b.wsUrl, canvas, viewer.token)
  context.clients.push(viewing)
  return { canvas, viewer, editor, viewing }
}

/** Adds a chart block on `from` and waits until `to` has it, so everything relayed to `to` before it has arrived. */
async function addBlockSeenBy(from: CollabClient, to: CollabClient, id: string, x: number): Promise<void> {
  addBlock(from.doc, { id, type: 'chart', position: { x, y: 0, w: 4, h: 2 }, author: 'e' })
  await waitFor(`block ${id} to arrive`, () =>
    toCanvasJSON(to.doc).blocks.some((block) => block.id === id) ? true : undefined,
  )
}

/** A user of the workspace's organization (created by its admin) with a fresh session; optionally a member of P. */
async function addUser(context: Ctx, projectRole: 'viewer' | 'editor' | 'admin' | null, projectId?: string) {
  const name = `u${Date.now().toString(36)}${counter++}`
  const user = await context.ws.api.json<{ id: string }>(
    'POST',
    '/api/users',
    { email: `${name}@example.com`, username: name, password: PASSWORD, role: 'member' },
    201,
  )
  if (projectRole !== null) {
    await context.ws.api.json(
      'POST',
      `/api/projects/${projectId ?? context.ws.projectId}/members`,
      { user_id: user.id, role: projectRole },
      201,
    )
  }
  return {
    id: user.id,
    email: `${name}@example.com`,
    token: await login(context.cluster.a, `${name}@example.com`),
  }
}

async function login(server: ServerProcess, email: string): Promise<string> {
  const body = await new ApiClient(server.httpUrl).json<{ token: string }>('POST', '/api/auth/login', {
    email,
    password: PASSWORD,
  })
  return body.token
}

async function newCanvas(context: Ctx, projectId = context.ws.projectId): Promise<string> {
  const canvas = await context.ws.api.json<{ id: string }>(
    'POST',
    `/api/projects/${projectId}/canvases`,
    { name: `canvas ${counter++}` },
    201,
  )
  return canvas.id
}

async function socket(
  context: Ctx,
  server: ServerProcess,
  canvasId: string,
  query: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<CollabSocket> {
  const opened = await openCollab(server.wsUrl, canvasId, query, headers)
  context.sockets.push(opened)
  return opened
}

/** An update that adds one block, as a client would send it. */
function blockUpdate(blockId: string): Uint8Array {
  const doc = new Y.Doc()
  addBlock(doc, { id: blockId, type: 'chart', position: { x: 0, y: 0, w: 2, h: 2 }, author: 'test' })
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return update
}

/** Block ids of the canvas as the server holds it (REST: live room or storage). */
async function blockIds(api: ApiClient, canvasId: string): Promise<string[]> {
  const view = await api.json<{ document: { blocks: { id: string }[] } }>('GET', `/api/canvases/${canvasId}`)
  return view.document.blocks.map((block) => block.id)
}

/** Runs `change` and returns how it ended for `target` within the deadline (measured from the change). */
async function closedWithin(
  target: CollabSocket,
  change: () => Promise<unknown>,
): Promise<Closed & { ms: number }> {
  const started = performance.now()
  await change()
  const closed = await Promise.race([
    target.closed,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), REVOCATION_DEADLINE_MS * 3).unref()),
  ])
  if (closed === null) throw new Error(`socket still open ${REVOCATION_DEADLINE_MS * 3} ms after the change`)
  return { ...closed, ms: closed.at - started }
}

function assertClosed(result: Closed & { ms: number }, code: number, what: string): void {
  assert.is(result.code, code, `${what}: close code`)
  assert.ok(result.ms < REVOCATION_DEADLINE_MS, `${what}: closed after ${Math.round(result.ms)} ms`)
}

test('upgrade: missing, malformed, unknown, expired and revoked tokens 401; foreign Origin 403; no access 404', async (context) => {
  const { a, b } = context.cluster
  const { ws, other } = context
  const canvas = ws.canvasId
  assert.is(await upgradeStatus(b.wsUrl, canvas, {}), 401, 'no token')
  assert.is(await upgradeStatus(b.wsUrl, canvas, { token: 'garbage' }), 401, 'malformed')
  assert.is(await upgradeStatus(b.wsUrl, canvas, { token: 'A'.repeat(43) }), 401, 'unknown')

  const user = await addUser(context, 'viewer')
  const revoked = await login(a, user.email)
  assert.is((await new ApiClient(a.httpUrl, revoked).raw('POST', '/api/auth/logout')).status, 204)
  assert.is(await upgradeStatus(b.wsUrl, canvas, { token: revoked }), 401, 'revoked (logged out)')

  if (context.cluster.redisUrl !== null) {
    // A session whose expiry passed (the key may outlive it by a moment): refused, not trusted.
    const expired = 'E'.repeat(43)
    const redis = new Redis(context.cluster.redisUrl)
    const hash = createHash('sha256').update(expired).digest('hex')
    const now = Date.now()
    const value = {
      userId: user.id,
      organizationId: ws.organizationId,
      createdAt: now - 10_000,
      expiresAt: now - 1,
    }
    await redis.set(`session:${hash}`, JSON.stringify(value), 'PX', 60_000)
    await redis.quit()
    assert.is(await upgradeStatus(b.wsUrl, canvas, { token: expired }), 401, 'expired')
    assert.is((await new ApiClient(a.httpUrl, expired).raw('GET', '/api/me')).status, 401, 'expired (HTTP)')
  }

  assert.is(
    await upgradeStatus(b.wsUrl, canvas, { token: user.token }, { origin: 'https://evil.example' }),
    403,
    'foreign Origin',
  )
  const allowed = await socket(context, b, canvas, { token: user.token }, { origin: ALLOWED_ORIGIN })
  assert.ok(allowed.isOpen(), 'an allowed Origin opens')
  const byCookie = await socket(context, b, canvas, {}, { cookie: `jabiru_session=${user.token}` })
  assert.ok(byCookie.isOpen(), 'the session cookie authenticates the upgrade')

  const outsider = await addUser(context, null)
  assert.is(await upgradeStatus(b.wsUrl, canvas, { token: outsider.token }), 404, 'not a member')
  assert.is(await upgradeStatus(b.wsUrl, canvas, { token: other.token }), 404, 'another organization')
  assert.is(
    await upgradeStatus(b.wsUrl, other.canvasId, { token: ws.token }),
    404,
    "another organization's canvas",
  )
})

test('WebSocket role matrix: admins and editors edit, viewers are read-only, team/public link viewers too', async (context) => {
  const { a, b } = context.cluster
  const { ws, other } = context
  const canvas = await newCanvas(context)
  const editor = await addUser(context, 'editor')
  const viewer = await addUser(context, 'viewer')
  const outsider = await addUser(context, null)

  for (const [who, token] of [
    ['org admin', ws.token],
    ['editor', editor.token],
  ] as const) {
    const opened = await socket(context, b, canvas, { token })
    opened.sendUpdate(blockUpdate(`block_${who.replace(' ', '_')}`))
    await waitFor(`${who}'s edit to be stored`, async () =>
      (await blockIds(ws.api, canvas)).includes(`block_${who.replace(' ', '_')}`) ? true : undefined,
    )
    assert.not.ok(
      opened.notices.some((notice) => notice.type === 'read-only' || notice.type === 'update-rejected'),
      `${who}: neither read-only nor rejected`,
    )
  }

  const readOnly = async (who: string, query: Record<string, string>) => {
    const opened = await socket(context, b, canvas, query)
    await waitFor(`${who}: read-only notice`, () =>
      opened.notices.some((notice) => notice.type === 'read-only') ? true : undefined,
    )
    opened.sendUpdate(blockUpdate(`block_${who.replace(/\W/g, '_')}`))
    await waitFor(`${who}: update rejected`, () =>
      opened.notices.some((notice) => notice.type === 'update-rejected') ? true : undefined,
    )
  }
  await readOnly('viewer', { token: viewer.token })

  assert.is(
    await upgradeStatus(b.wsUrl, canvas, { token: outsider.token }),
    404,
    'non-member, private canvas',
  )
  const sharing = `/api/canvases/${canvas}/sharing`
  await ws.api.json('PUT', sharing, { visibility: 'team', permissions: [], public_link: false })
  await readOnly('team viewer', { token: outsider.token })
  const linked = await ws.api.json<{ public_link: { token: string } }>('PUT', sharing, {
    visibility: 'private',
    permissions: [],
    public_link: true,
  })
  assert.is(
    await upgradeStatus(a.wsUrl, canvas, { token: other.token }),
    404,
    'other organization without link',
  )
  await readOnly('public link viewer', { token: other.token, link: linked.public_link.token })
  const ids = await blockIds(ws.api, canvas)
  assert.equal(ids.sort(), ['block_editor', 'block_org_admin'], 'no read-only edit was stored')
})

test("a viewer's edits never reach other clients or storage (stock y-websocket clients, across instances)", async (context) => {
  const { b } = context.cluster
  const { canvas, editor, viewing } = await editorAndViewer(context)
  const notices = viewing.notices
  addBlock(viewing.doc, {
    id: 'block_viewer',
    type: 'table',
    position: { x: 0, y: 0, w: 4, h: 2 },
    author: 'v',
  })
  await waitFor('the viewer to be told its update was rejected', () =>
    notices.some((notice) => notice.type === 'update-rejected' && notice.reason === 'read-only')
      ? true
      : undefined,
  )
  // A later editor change reaches the viewer: everything the server relayed before it has been seen.
  await addBlockSeenBy(editor, viewing, 'block_editor', 4)
  assert.equal(
    toCanvasJSON(editor.doc).blocks.map((block) => block.id),
    ['block_editor'],
    "the viewer's block never reached the editor",
  )
  assert.equal(await blockIds(context.ws.api, canvas), ['block_editor'], 'nor the server')
  editor.destroy()
  viewing.destroy()
  context.clients.splice(0)
  // A fresh client loads what is stored.
  const fresh = await connectSynced(b.wsUrl, canvas, context.ws.token)
  context.clients.push(fresh)
  await waitFor('stored state', () => (toCanvasJSON(fresh.doc).blocks.length > 0 ? true : undefined))
  assert.equal(
    toCanvasJSON(fresh.doc).blocks.map((block) => block.id),
    ['block_editor'],
  )
})

test('a stock viewer that reconnects holding a canvas with deletions is not refused (its delete-set reply changes nothing)', async (context) => {
  const { editor, viewing } = await editorAndViewer(context)
  addBlock(editor.doc, {
    id: 'block_text',
    type: 'narrative',
    position: { x: 0, y: 0, w: 6, h: 2 },
    content: { text: 'revenue grew by 25% in Q4' },
    author: 'e',
  })
  deleteNarrativeText(editor.doc, 'block_text', 0, 8, 'e')
  await waitConverged([editor.doc, viewing.doc])

  // A dropped connection: y-websocket reconnects with the document it holds and, asked by the server's sync step 1,
  // sends everything the server lacks (nothing) plus the canvas's whole delete set.
  viewing.provider.disconnect()
  viewing.provider.connect()
  await waitFor('the viewer to sync again', () => (viewing.provider.synced ? true : undefined))
  // Causal marker: the viewer's awareness change travels after its reply on the same socket; once the editor saw it,
  // an editor change that then reaches the viewer comes after any notice the server sent about that reply.
  viewing.provider.awareness.setLocalStateField('marker', 'after-reconnect')
  await waitFor('the marker to reach the editor', () =>
    [...editor.provider.awareness.getStates().values()].some((state) => state.marker === 'after-reconnect')
      ? true
      : undefined,
  )
  await addBlockSeenBy(editor, viewing, 'block_after', 6)
  assert.equal(
    viewing.notices.filter((notice) => notice.type === 'update-rejected'),
    [],
    'no update of the viewer was refused',
  )
})

test('a viewer promoted to editor while connected is told it may edit, and its edits then reach everyone and storage', async (context) => {
  const { canvas, viewer: promoted, editor, viewing } = await editorAndViewer(context)
  await waitFor('the read-only notice', () =>
    viewing.notices.some((notice) => notice.type === 'read-only') ? true : undefined,
  )
  await context.ws.api.json('PATCH', `/api/projects/${context.ws.projectId}/members/${promoted.id}`, {
    role: 'editor',
  })
  await waitFor(
    'the editable notice',
    () => (viewing.notices.some((notice) => notice.type === 'editable') ? true : undefined),
    REVOCATION_DEADLINE_MS,
  )
  assert.equal(
    viewing.notices.find((notice) => notice.type === 'editable'),
    { type: 'editable', resyncRequired: false },
  )
  await addBlockSeenBy(viewing, editor, 'block_promoted', 0)
  await waitFor('the edit to be stored', async () =>
    (await blockIds(context.ws.api, canvas)).includes('block_promoted') ? true : undefined,
  )
  assert.equal(
    viewing.notices.filter((notice) => notice.type === 'update-rejected'),
    [],
  )
})

test('live revocation: role changes, removal, logout, deactivation, deletion, sharing and archiving reach open sockets on every instance within 2 s', async (context) => {
  const { a, b } = context.cluster
  const { ws } = context
  const admin = ws.api
  const canvas = await newCanvas(context)

  // Downgrade editor -> viewer: a read-only notice, then edits are rejected (upgrades: the test above).
  const mover = await addUser(context, 'editor')
  const moving = await socket(context, b, canvas, { token: mover.token })
  let started = performance.now()
  await admin.json('PATCH', `/api/projects/${ws.projectId}/members/${mover.id}`, { role: 'viewer' })
  await waitFor(
    'read-only notice',
    () => (moving.notices.some((notice) => notice.type === 'read-only') ? true : undefined),
    REVOCATION_DEADLINE_MS * 2,
  )
  assert.ok(performance.now() - started < REVOCATION_DEADLINE_MS, 'downgraded within the deadline')
  moving.sendUpdate(blockUpdate('block_while_viewer'))
  await waitFor('rejection', () =>
    moving.notices.some((notice) => notice.type === 'update-rejected' && notice.reason === 'read-only')
      ? true
      : undefined,
  )
  assert.not.ok((await blockIds(admin, canvas)).includes('block_while_viewer'))

  // Removed from the project: 4403.
  const leaver = await addUser(context, 'editor')
  const leaving = await socket(context, b, canvas, { token: leaver.token })
  assertClosed(
    await closedWithin(leaving, () =>
      admin.raw('DELETE', `/api/projects/${ws.projectId}/members/${leaver.id}`),
    ),
    CloseCode.Forbidden,
    'member removed',
  )

  // Logout ends that session only: 4401 for its socket, the user's other session stays connected.
  const quitter = await addUser(context, 'editor')
  const secondSession = await login(a, quitter.email)
  const quitting = await socket(context, b, canvas, { token: quitter.token })
  const staying = await socket(context, b, canvas, { token: secondSession })
  assertClosed(
    await closedWithin(quitting, () =>
      new ApiClient(a.httpUrl, quitter.token).raw('POST', '/api/auth/logout'),
    ),
    CloseCode.Unauthenticated,
    'logout',
  )
  staying.sendUpdate(blockUpdate('block_other_session'))
  await waitFor('the other session to keep editing', async () =>
    (await blockIds(admin, canvas)).includes('block_other_session') ? true : undefined,
  )
  assert.ok(staying.isOpen())

  // Deactivated: 4401.
  const fired = await addUser(context, 'editor')
  const firedSocket = await socket(context, b, canvas, { token: fired.token })
  assertClosed(
    await closedWithin(firedSocket, () => admin.raw('DELETE', `/api/users/${fired.id}`)),
    CloseCode.Unauthenticated,
    'deactivated',
  )

  // Sharing: a grant downgraded (read-only), then removed (4403); a public link turned off (4403).
  const sharedCanvas = await newCanvas(context)
  const sharing = `/api/canvases/${sharedCanvas}/sharing`
  const guest = await addUser(context, null)
  const keepAdmin = { user_id: ws.userId, role: 'admin' }
  const linked = await admin.json<{ public_link: { token: string } }>('PUT', sharing, {
    visibility: 'private',
    permissions: [keepAdmin, { user_id: guest.id, role: 'editor' }],
    public_link: true,
  })
  const guestSocket = await socket(context, b, sharedCanvas, { token: guest.token })
  const linkSocket = await socket(context, b, sharedCanvas, {
    token: context.other.token,
    link: linked.public_link.token,
  })
  started = performance.now()
  await admin.json('PUT', sharing, {
    visibility: 'private',
    permissions: [keepAdmin, { user_id: guest.id, role: 'viewer' }],
    public_link: true,
  })
  await waitFor(
    'grant downgrade',
    () => (guestSocket.notices.some((notice) => notice.type === 'read-only') ? true : undefined),
    REVOCATION_DEADLINE_MS * 2,
  )
  assert.ok(performance.now() - started < REVOCATION_DEADLINE_MS, 'grant downgraded within the deadline')
  assert.ok(linkSocket.isOpen(), 'the link viewer keeps access while the link is on')
  const unshare = () =>
    admin.json('PUT', sharing, { visibility: 'private', permissions: [keepAdmin], public_link: false })
  const [guestClosed, linkClosed] = await Promise.all([
    closedWithin(guestSocket, unshare),
    closedWithin(linkSocket, async () => undefined),
  ])
  assertClosed(guestClosed, CloseCode.Forbidden, 'grant removed')
  assert.is(linkClosed.code, CloseCode.Forbidden, 'public link turned off')

  // Canvas deleted: every socket on it (on both instances) closes with 4404.
  const doomed = await newCanvas(context)
  const onA = await socket(context, a, doomed, { token: ws.token })
  const onB = await socket(context, b, doomed, { token: mover.token })
  const [closedA, closedB] = await Promise.all([
    closedWithin(onA, () => admin.raw('DELETE', `/api/canvases/${doomed}`)),
    closedWithin(onB, async () => undefined),
  ])
  assertClosed(closedA, CloseCode.CanvasGone, 'canvas deleted (instance A)')
  assert.is(closedB.code, CloseCode.CanvasGone, 'canvas deleted (instance B)')

  // Project archived: its canvases are unreachable, 4403.
  const project = await admin.json<{ id: string }>('POST', '/api/projects', { name: 'archived soon' }, 201)
  const archivedCanvas = await newCanvas(context, project.id)
  const member = await addUser(context, 'editor', project.id)
  const archivedSocket = await socket(context, b, archivedCanvas, { token: member.token })
  assertClosed(
    await closedWithin(archivedSocket, () =>
      admin.json('PATCH', `/api/projects/${project.id}`, { is_archived: true }),
    ),
    CloseCode.Forbidden,
    'project archived',
  )
})

/** Opens two sockets one after the other: the second upgrade runs with the room loaded, so its reads are cached. */
async function warmUpgrades(
  context: Ctx,
  server: ServerProcess,
  canvasId: string,
  query: Record<string, string>,
) {
  await socket(context, server, canvasId, query)
  await socket(context, server, canvasId, query)
}

/** Refused with `status` within the revocation deadline (another instance hears of the change over the bus). */
async function refusedWithin(
  server: ServerProcess,
  canvasId: string,
  token: string,
  status: number,
  what: string,
) {
  const started = performance.now()
  await waitFor(
    what,
    async () => ((await upgradeStatus(server.wsUrl, canvasId, { token })) === status ? true : undefined),
    REVOCATION_DEADLINE_MS,
  )
  assert.ok(performance.now() - started < REVOCATION_DEADLINE_MS, `${what} within the deadline`)
}

test('authorization cache: a token, membership, grant or canvas taken away is refused on the next upgrade, though just cached', async (context) => {
  const { a, b } = context.cluster
  const { ws } = context
  const admin = ws.api
  const canvas = await newCanvas(context)

  // Logout through A: A refuses the token at its very next upgrade; B as soon as the bus told it.
  const quitter = await addUser(context, 'editor')
  await warmUpgrades(context, a, canvas, { token: quitter.token })
  await warmUpgrades(context, b, canvas, { token: quitter.token })
  assert.is((await new ApiClient(a.httpUrl, quitter.token).raw('POST', '/api/auth/logout')).status, 204)
  assert.is(await upgradeStatus(a.wsUrl, canvas, { token: quitter.token }), 401, 'logged out (same instance)')
  await refusedWithin(b, canvas, quitter.token, 401, 'logged out (other instance)')

  // Removed from the project: no access (404), the session itself still works.
  const leaver = await addUser(context, 'editor')
  await warmUpgrades(context, a, canvas, { token: leaver.token })
  await warmUpgrades(context, b, canvas, { token: leaver.token })
  await admin.raw('DELETE', `/api/projects/${ws.projectId}/members/${leaver.id}`)
  assert.is(
    await upgradeStatus(a.wsUrl, canvas, { token: leaver.token }),
    404,
    'member removed (same instance)',
  )
  await refusedWithin(b, canvas, leaver.token, 404, 'member removed (other instance)')

  // Deactivated: 401.
  const fired = await addUser(context, 'editor')
  await warmUpgrades(context, a, canvas, { token: fired.token })
  await warmUpgrades(context, b, canvas, { token: fired.token })
  await admin.raw('DELETE', `/api/users/${fired.id}`)
  assert.is(await upgradeStatus(a.wsUrl, canvas, { token: fired.token }), 401, 'deactivated (same instance)')
  await refusedWithin(b, canvas, fired.token, 401, 'deactivated (other instance)')

  // A canvas grant removed: a canvas-specific change, heard on the canvas's channel where the room is loaded.
  const sharedCanvas = await newCanvas(context)
  const guest = await addUser(context, null)
  const sharing = `/api/canvases/${sharedCanvas}/sharing`
  const keepAdmin = { user_id: ws.userId, role: 'admin' }
  await admin.json('PUT', sharing, {
    visibility: 'private',
    permissions: [keepAdmin, { user_id: guest.id, role: 'editor' }],
    public_link: false,
  })
  await warmUpgrades(context, a, sharedCanvas, { token: guest.token })
  await warmUpgrades(context, b, sharedCanvas, { token: guest.token })
  await admin.json('PUT', sharing, { visibility: 'private', permissions: [keepAdmin], public_link: false })
  assert.is(await upgradeStatus(a.wsUrl, sharedCanvas, { token: guest.token }), 404, 'grant removed (same)')
  await refusedWithin(b, sharedCanvas, guest.token, 404, 'grant removed (other instance)')

  // Canvas deleted: 404 for everyone, including its admin whose access was cached.
  const doomed = await newCanvas(context)
  await warmUpgrades(context, a, doomed, { token: ws.token })
  await warmUpgrades(context, b, doomed, { token: ws.token })
  await admin.raw('DELETE', `/api/canvases/${doomed}`)
  assert.is(await upgradeStatus(a.wsUrl, doomed, { token: ws.token }), 404, 'canvas deleted (same instance)')
  await refusedWithin(b, doomed, ws.token, 404, 'canvas deleted (other instance)')
})

test('frames sent as a socket opens are handled in order; a text frame closes only that socket (4400)', async (context) => {
  const { a } = context.cluster
  const canvas = await newCanvas(context)
  // Two edits of one client: the second depends on the first, so handling them out of order would refuse it.
  const doc = new Y.Doc()
  addBlock(doc, { id: 'block_first', type: 'chart', position: { x: 0, y: 0, w: 2, h: 2 }, author: 'raw' })
  const first = Y.encodeStateAsUpdate(doc)
  const afterFirst = Y.encodeStateVector(doc)
  addBlock(doc, { id: 'block_second', type: 'table', position: { x: 2, y: 0, w: 2, h: 2 }, author: 'raw' })
  const second = Y.encodeStateAsUpdate(doc, afterFirst)
  doc.destroy()
  // Sent on 'open', before anything from the server was read (socket-session.test.ts holds a room's load open).
  const raw = await socket(context, a, canvas, { token: context.ws.token })
  raw.sendUpdate(first)
  raw.sendUpdate(second)
  await waitFor(
    'both edits stored in order',
    async () => ((await blockIds(context.ws.api, canvas)).length === 2 ? true : undefined),
    20_000,
  )
  assert.equal((await blockIds(context.ws.api, canvas)).sort(), ['block_first', 'block_second'])
  assert.ok(raw.isOpen(), 'the in-order edits were accepted')

  const bystander = await connectSynced(a.wsUrl, canvas, context.ws.token)
  context.clients.push(bystander)
  raw.socket.send('not a binary frame')
  const closed = await raw.closed
  assert.is(closed.code, CloseCode.BadMessage)
  assert.is(closed.reason, 'binary frames only')
  assert.ok(bystander.provider.wsconnected, 'other sockets of the canvas stay open')
})

test('rate limits: login attempts per account across instances get 429 + Retry-After; a WebSocket flood closes only the flooder', async (context) => {
  const { a, b } = context.cluster
  const user = await addUser(context, 'editor')
  // addUser logged in once on A. The counter is shared through Redis (or the one process).
  for (let i = 1; i < LOGIN_LIMIT; i++) {
    const server = i % 2 === 0 ? a : b
    const response = await new ApiClient(server.httpUrl).raw('POST', '/api/auth/login', {
      email: user.email,
      password: 'wrong password',
    })
    assert.is(response.status, 401, `attempt ${i}`)
  }
  const limited = await new ApiClient(b.httpUrl).raw('POST', '/api/auth/login', {
    email: user.email,
    password: PASSWORD,
  })
  assert.is(limited.status, 429)
  const retryAfter = Number(limited.headers.get('retry-after'))
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`)

  const canvas = await newCanvas(context)
  const honestA = await connectSynced(a.wsUrl, canvas, context.ws.token)
  const honestB = await connectSynced(b.wsUrl, canvas, user.token)
  context.clients.push(honestA, honestB)
  const flooder = await socket(context, b, canvas, { token: user.token })
  const queryAwareness = Uint8Array.of(3)
  for (let i = 0; i < 1000 && flooder.socket.readyState === flooder.socket.OPEN; i++) {
    flooder.socket.send(queryAwareness)
  }
  const closed = await flooder.closed
  assert.is(closed.code, CloseCode.RateLimited, 'the flooder is closed with 4429')
  addBlock(honestB.doc, {
    id: 'block_after_flood',
    type: 'chart',
    position: { x: 0, y: 0, w: 2, h: 2 },
    author: 'b',
  })
  await waitConverged([honestA.doc, honestB.doc])
  assert.ok(honestA.provider.wsconnected && honestB.provider.wsconnected, 'honest clients stay connected')
  assert.ok(toCanvasJSON(honestA.doc).blocks.some((block) => block.id === 'block_after_flood'))
})

test('audit rows queued at SIGTERM are all written by the graceful stop', async (context) => {
  const { a, b } = context.cluster
  const owner = await createWorkspace(a.httpUrl, 'audited')
  await owner.api.json('PATCH', `/api/canvases/${owner.canvasId}`, { description: 'audited' })
  await owner.api.json('PATCH', `/api/projects/${owner.projectId}`, { description: 'audited' })
  const expected = ['auth.signup', 'project.create', 'canvas.create', 'canvas.update', 'project.update']
  const before = await owner.api.json<{ entries: { action: string }[] }>('GET', '/api/audit-logs')
  assert.equal(before.entries, [], 'held back by the hour-long flush interval: nothing written yet')

  assert.is(await a.stop('SIGTERM'), 0, 'clean exit')
  let reader = b
  if (a === b) reader = await a.restart()
  try {
    const after = await new ApiClient(reader.httpUrl, owner.token).json<{ entries: { action: string }[] }>(
      'GET',
      '/api/audit-logs',
    )
    assert.equal(after.entries.map((entry) => entry.action).sort(), [...expected].sort())
  } finally {
    if (reader !== b) await reader.stop('SIGKILL')
  }
})

test.run()
