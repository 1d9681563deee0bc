import * as assert from 'uvu/assert'
import { WebSocket } from 'ws'
import {
  addBlock,
  insertNarrativeText,
  moveBlock,
  resizeBlock,
  toCanvasJSON,
} from '../shared/canvas/index.ts'
import { ApiClient, createWorkspace } from './support/api.ts'
import { waitConverged } from './support/clients.ts'
import { connect, newCanvas, serverSuite } from './support/server-suite.ts'
import { waitFor } from './support/wait.ts'

const test = serverSuite(
  'live sync (embedded PGlite, real server process, stock y-websocket clients)',
  'sync',
)

test('two stock clients converge and a late third receives the full state', async (context) => {
  const a = await connect(context)
  const b = await connect(context)
  const blockA = addBlock(a.doc, { type: 'chart', position: { x: 0, y: 0, w: 6, h: 4 }, author: 'a' })
  const blockB = addBlock(b.doc, {
    type: 'narrative',
    position: { x: 6, y: 0, w: 6, h: 4 },
    content: { text: 'Hello' },
    author: 'b',
  })
  await waitConverged([a.doc, b.doc])
  insertNarrativeText(a.doc, blockB, 5, ', world', 'a')
  moveBlock(b.doc, blockA, { x: 0, y: 4 }, 'b')
  await waitConverged([a.doc, b.doc])
  const late = await connect(context)
  await waitConverged([a.doc, b.doc, late.doc])
  const json = toCanvasJSON(late.doc)
  assert.equal(json, toCanvasJSON(a.doc))
  assert.is(json.blocks.length, 2)
  assert.equal(json.blocks.find((block) => block.id === blockA)?.position, { x: 0, y: 4, w: 6, h: 4 })
  assert.is(json.blocks.find((block) => block.id === blockB)?.content.text, 'Hello, world')
  assert.is(json.name, 'Canvas', 'meta written at canvas creation is part of the document')
})

test('20 clients x 50 concurrent block edits converge to identical canvas JSON', async (context) => {
  const canvas = { id: await newCanvas(context, 'Busy') }
  const clients = await Promise.all(
    Array.from({ length: 20 }, () => connect(context, { canvasId: canvas.id })),
  )
  // Every client adds its own block, then all edit all blocks concurrently without waiting for each other.
  const ids = clients.map((client, i) =>
    addBlock(client.doc, {
      id: `block_c${i}`,
      type: i % 3 === 0 ? 'narrative' : i % 3 === 1 ? 'chart' : 'table',
      position: { x: (i % 4) * 3, y: Math.floor(i / 4) * 2, w: 3, h: 2 },
      content: i % 3 === 0 ? { text: '' } : { title: `block ${i}` },
      author: `user${i}`,
    }),
  )
  await waitConverged(clients.map((client) => client.doc))
  for (let round = 0; round < 50; round++) {
    clients.forEach((client, i) => {
      const target = ids[(i + round) % ids.length] ?? ids[0]!
      if (round % 2 === 0) moveBlock(client.doc, target, { x: (round + i) % 10, y: round }, `user${i}`)
      else resizeBlock(client.doc, target, { w: 1 + ((round + i) % 2), h: 1 + (round % 5) }, `user${i}`)
    })
  }
  await waitConverged(
    clients.map((client) => client.doc),
    60_000,
  )
  const expected = toCanvasJSON(clients[0]!.doc)
  assert.is(expected.blocks.length, 20)
  for (const client of clients) assert.equal(toCanvasJSON(client.doc), expected)
  // The server's view (REST) agrees once it has applied everything.
  await waitFor('REST view to match', async () => {
    const view = await context.ws.api.json<{ document: unknown }>('GET', `/api/canvases/${canvas.id}`)
    return JSON.stringify(view.document) === JSON.stringify(expected) ? true : undefined
  })
})

/** Opens a raw socket; resolves with how it ended (close code, or the HTTP status of a refused upgrade). */
function rawSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url)
    socket.once('open', () => resolve(socket))
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`HTTP ${response.statusCode}`)),
    )
    socket.once('error', reject)
  })
}

function closeCodeOf(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => socket.once('close', (code) => resolve(code)))
}

function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url)
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0)
      socket.terminate()
    })
    socket.once('open', () => reject(new Error('socket opened although the upgrade should be refused')))
    socket.once('error', () => undefined)
  })
}

test('unknown canvas, bad token and foreign canvas are refused at the upgrade with HTTP status', async (context) => {
  const { server, ws } = context
  assert.is(await upgradeStatus(`${server.wsUrl}/${ws.canvasId}`), 401, 'no token')
  assert.is(await upgradeStatus(`${server.wsUrl}/${ws.canvasId}?token=garbage`), 401, 'malformed token')
  assert.is(
    await upgradeStatus(`${server.wsUrl}/${ws.canvasId}?token=${'A'.repeat(43)}`),
    401,
    'unknown token',
  )
  assert.is(
    await upgradeStatus(`${server.wsUrl}/00000000-0000-4000-8000-000000000000?token=${ws.token}`),
    404,
    'unknown canvas',
  )
  assert.is(await upgradeStatus(`${server.wsUrl}/not-a-uuid?token=${ws.token}`), 404, 'malformed canvas id')
  const other = await createWorkspace(server.httpUrl, 'other')
  assert.is(
    await upgradeStatus(`${server.wsUrl}/${other.canvasId}?token=${ws.token}`),
    404,
    'other organization',
  )
})

test('malformed, truncated and oversized messages close only the offender; the document stays loadable', async (context) => {
  const { server, ws } = context
  const canvas = { id: await newCanvas(context, 'Bad') }
  const a = await connect(context, { canvasId: canvas.id })
  const b = await connect(context, { canvasId: canvas.id })
  addBlock(a.doc, { id: 'block_keep', type: 'chart', position: { x: 0, y: 0, w: 4, h: 2 }, author: 'a' })
  await waitConverged([a.doc, b.doc])

  const offenders: Array<[string, Uint8Array | string, number]> = [
    ['unknown message type', Uint8Array.of(42, 1, 2), 4400],
    ['truncated update', Uint8Array.of(0, 2, 50, 1, 2, 3), 4400],
    ['garbage update payload', Uint8Array.of(0, 2, 5, 0xff, 0xff, 0xff, 0xff, 0xff), 4400],
    ['invalid state vector', Uint8Array.of(0, 0, 3, 0xff, 0xff, 0xff), 4400],
    ['awareness that is not JSON', Uint8Array.of(1, 6, 1, 7, 1, 2, 0x7b, 0x7b), 4400],
    ['text frame', 'hello', 4400],
    ['oversized frame', new Uint8Array(3 * 1024 * 1024), 1009],
  ]
  for (const [what, frame, expectedCode] of offenders) {
    const socket = await rawSocket(`${server.wsUrl}/${canvas.id}?token=${ws.token}`)
    const closed = closeCodeOf(socket)
    socket.send(frame)
    assert.is(await closed, expectedCode, what)
  }
  // The honest clients were not disturbed and keep syncing.
  addBlock(b.doc, { id: 'block_after', type: 'table', position: { x: 4, y: 0, w: 4, h: 2 }, author: 'b' })
  await waitConverged([a.doc, b.doc])
  assert.is(a.provider.wsconnected, true)
  const fresh = await connect(context, { canvasId: canvas.id })
  await waitConverged([a.doc, fresh.doc])
  assert.equal(
    toCanvasJSON(fresh.doc).blocks.map((block) => block.id),
    ['block_keep', 'block_after'],
  )
  const health = await new ApiClient(server.httpUrl).raw('GET', '/readyz')
  assert.is(health.status, 200)
})

test.run()
