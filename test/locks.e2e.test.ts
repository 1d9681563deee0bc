import * as assert from 'uvu/assert'
import {
  addBlock,
  insertNarrativeText,
  moveBlock,
  toCanvasJSON,
  updateBlockContent,
} from '../shared/canvas/index.ts'
import type { ServerNotice } from '../shared/protocol.ts'
import { addProjectMember, type TestMember } from './support/api.ts'
import { waitConverged } from './support/clients.ts'
import { collectNotices } from './support/notices.ts'
import { connect, newCanvas, type ServerSuiteContext, serverSuite } from './support/server-suite.ts'
import { waitFor } from './support/wait.ts'

const test = serverSuite(
  'block locks (embedded server, stock y-websocket clients)',
  'locks',
  async (context) => ({
    alice: await addProjectMember(context.ws, 'editor', 'alice'),
    bob: await addProjectMember(context.ws, 'editor', 'bob'),
  }),
)
type Context = ServerSuiteContext & { alice: TestMember; bob: TestMember }

function connectAs(context: Context, member: TestMember, canvasId: string) {
  return connect(context, { canvasId, token: member.token })
}

interface Lease {
  block_id: string
  user_id: string
  token: string
  expires_at: string
}

test('concurrent acquires of one block: exactly one wins', async (context) => {
  const canvasId = await newCanvas(context)
  const attempts = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      (i % 2 === 0 ? context.alice : context.bob).api.raw('POST', `/api/canvases/${canvasId}/locks/block_x`),
    ),
  )
  const statuses = attempts.map((response) => response.status)
  const winners = statuses.filter((status) => status === 201).length
  // The winner's own later attempts renew (201) — count distinct winning users instead.
  const bodies = await Promise.all(
    attempts.map((response) => response.json() as Promise<Partial<Lease> & { held_by?: Lease }>),
  )
  const holders = new Set(bodies.filter((_, i) => statuses[i] === 201).map((body) => body.user_id))
  assert.is(holders.size, 1, 'one user holds the lock')
  assert.ok(winners >= 1)
  for (const [i, body] of bodies.entries()) {
    if (statuses[i] === 409) {
      assert.ok(holders.has(body.held_by?.user_id), 'losers are told who holds it')
      assert.not.ok('token' in (body.held_by ?? {}), "the holder's token is never revealed")
    } else {
      assert.is(statuses[i], 201)
    }
  }
})

test("a locked block: others' edits reach no one and no storage; the holder edits freely", async (context) => {
  const canvasId = await newCanvas(context)
  const alice = await connectAs(context, context.alice, canvasId)
  const bob = await connectAs(context, context.bob, canvasId)
  const watcher = await connectAs(context, context.ws, canvasId)
  const bobNotices = collectNotices(bob.provider)
  const watcherNotices = collectNotices(watcher.provider)
  addBlock(alice.doc, {
    id: 'block_n',
    type: 'narrative',
    position: { x: 0, y: 0, w: 6, h: 3 },
    content: { text: 'Q4 was good' },
    author: 'alice',
  })
  addBlock(alice.doc, {
    id: 'block_free',
    type: 'chart',
    position: { x: 6, y: 0, w: 6, h: 3 },
    author: 'alice',
  })
  await waitConverged([alice.doc, bob.doc, watcher.doc])

  const lease = await context.alice.api.json<Lease>(
    'POST',
    `/api/canvases/${canvasId}/locks/block_n`,
    {},
    201,
  )
  await waitFor('locks notice to others', () =>
    watcherNotices.some(
      (notice) => notice.type === 'locks' && notice.locks.some((l) => l.block_id === 'block_n'),
    )
      ? true
      : undefined,
  )

  // Bob edits the locked block (text and position) and, separately, the free block.
  insertNarrativeText(bob.doc, 'block_n', 0, 'NOT ', 'bob')
  moveBlock(bob.doc, 'block_n', { x: 0, y: 9 }, 'bob')
  const rejected = await waitFor('bob told his updates were rejected', () => {
    const notice = bobNotices.find(
      (n): n is Extract<ServerNotice, { type: 'update-rejected' }> => n.type === 'update-rejected',
    )
    return notice
  })
  assert.is(rejected.reason, 'block-locked')
  assert.equal(rejected.blockIds, ['block_n'])
  // Bob's Y.Doc now holds a refused change; Yjs orders a client's changes, so his next edit depends on it and is
  // refused too, until he reconnects with a fresh Y.Doc.
  updateBlockContent(bob.doc, 'block_free', { title: 'from a stale doc' }, 'bob')
  await waitFor('resync-required', () =>
    bobNotices.some((n) => n.type === 'update-rejected' && n.reason === 'resync-required') ? true : undefined,
  )
  bob.destroy()
  const freshBob = await connectAs(context, context.bob, canvasId)
  assert.is(toCanvasJSON(freshBob.doc).blocks.find((b) => b.id === 'block_n')?.content.text, 'Q4 was good')
  updateBlockContent(freshBob.doc, 'block_free', { title: 'allowed' }, 'bob')
  // The holder edits the locked block.
  insertNarrativeText(alice.doc, 'block_n', 11, '!', 'alice')
  await waitFor('free edit and holder edit to arrive', () => {
    const json = toCanvasJSON(watcher.doc)
    const free = json.blocks.find((b) => b.id === 'block_free')
    const locked = json.blocks.find((b) => b.id === 'block_n')
    return free?.content.title === 'allowed' && locked?.content.text === 'Q4 was good!' ? true : undefined
  })
  const locked = toCanvasJSON(watcher.doc).blocks.find((b) => b.id === 'block_n')
  assert.is(locked?.content.text, 'Q4 was good!', "bob's text never reached the watcher")
  assert.equal(locked?.position, { x: 0, y: 0, w: 6, h: 3 }, "bob's move never reached the watcher")
  // Nor storage: the server's document (REST) agrees with the watcher.
  const stored = await context.ws.api.json<{
    document: { blocks: Array<{ id: string; content: { text?: string } }> }
  }>('GET', `/api/canvases/${canvasId}`)
  assert.is(stored.document.blocks.find((b) => b.id === 'block_n')?.content.text, 'Q4 was good!')

  // Released: bob may edit again.
  await context.alice.api.json('DELETE', `/api/canvases/${canvasId}/locks/block_n?token=${lease.token}`)
  const list = await context.bob.api.json<{ locks: unknown[] }>('GET', `/api/canvases/${canvasId}/locks`)
  assert.equal(list.locks, [])
})

test("the holder's last connection closing releases its locks", async (context) => {
  const canvasId = await newCanvas(context)
  const alice = await connectAs(context, context.alice, canvasId)
  await context.alice.api.json('POST', `/api/canvases/${canvasId}/locks/block_a`, {}, 201)
  await context.alice.api.json('POST', `/api/canvases/${canvasId}/locks/block_b`, {}, 201)
  alice.provider.destroy()
  await waitFor('locks released', async () => {
    const list = await context.bob.api.json<{ locks: unknown[] }>('GET', `/api/canvases/${canvasId}/locks`)
    return list.locks.length === 0 ? true : undefined
  })
})

test('leases expire; renewing with the token extends them; a stale token cannot renew', async (context) => {
  const canvasId = await newCanvas(context)
  const lease = await context.alice.api.json<Lease>(
    'POST',
    `/api/canvases/${canvasId}/locks/block_t`,
    { ttl_ms: 1000 },
    201,
  )
  const renewed = await context.alice.api.json<Lease>('POST', `/api/canvases/${canvasId}/locks/block_t`, {
    token: lease.token,
    ttl_ms: 1000,
  })
  assert.ok(Date.parse(renewed.expires_at) >= Date.parse(lease.expires_at))
  await waitFor(
    'lease to expire',
    async () => {
      const list = await context.bob.api.json<{ locks: unknown[] }>('GET', `/api/canvases/${canvasId}/locks`)
      return list.locks.length === 0 ? true : undefined
    },
    5000,
  )
  const stale = await context.alice.api.raw('POST', `/api/canvases/${canvasId}/locks/block_t`, {
    token: lease.token,
  })
  assert.is(stale.status, 409)
  // Now bob can take it.
  await context.bob.api.json('POST', `/api/canvases/${canvasId}/locks/block_t`, {}, 201)
})

test('a canvas admin can break a lock (audited); editors cannot', async (context) => {
  const canvasId = await newCanvas(context)
  await context.alice.api.json('POST', `/api/canvases/${canvasId}/locks/block_z`, {}, 201)
  const denied = await context.bob.api.raw('DELETE', `/api/canvases/${canvasId}/locks/block_z?force=true`)
  assert.is(denied.status, 403)
  const broken = await context.ws.api.json<{ broken: { user_id: string } }>(
    'DELETE',
    `/api/canvases/${canvasId}/locks/block_z?force=true`,
  )
  assert.is(broken.broken.user_id, context.alice.userId)
  const audit = await waitFor('audit row for the break', async () => {
    const body = await context.ws.api.json<{
      entries: Array<{ action: string; resource_id: string | null }>
    }>('GET', `/api/audit-logs?action=lock.break`)
    return body.entries.length > 0 ? body.entries : undefined
  })
  assert.is(audit[0]?.resource_id, canvasId)
})

test.run()
