import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { WebSocket } from 'ws'
import { addBlock, toCanvasJSON } from '../shared/canvas/index.ts'
import { CloseCode } from '../shared/close-codes.ts'
import { createWorkspace } from './support/api.ts'
import { type CollabClient, connectSynced, waitConverged } from './support/clients.ts'
import { type ServerProcess, startServerProcess, tempDataDir } from './support/server-process.ts'
import { createTestPostgres } from './support/services.ts'
import { waitFor } from './support/wait.ts'

interface Backend {
  readonly name: string
  /** Environment for the server, or null to skip (service unreachable outside CI). */
  setup(): Promise<{ env: Record<string, string>; teardown: () => Promise<void> } | null>
}

const backends: Backend[] = [
  { name: 'embedded PGlite', setup: async () => ({ env: {}, teardown: async () => undefined }) },
  {
    name: 'PostgreSQL (DATABASE_URL)',
    setup: async () => {
      const database = await createTestPostgres()
      if (database === null) return null
      return { env: { DATABASE_URL: database.url }, teardown: () => database.drop() }
    },
  },
]

function blockIds(client: CollabClient): string[] {
  return toCanvasJSON(client.doc).blocks.map((block) => block.id)
}

/** Adds blocks [from, to) through one client, waits until a second client has them, and returns its view. */
async function addBlocksThroughClient(
  server: ServerProcess,
  ws: { readonly canvasId: string; readonly token: string },
  from: number,
  to: number,
): Promise<ReturnType<typeof toCanvasJSON>> {
  const writer = await connectSynced(server.wsUrl, ws.canvasId, ws.token)
  for (let i = from; i < to; i++) {
    addBlock(writer.doc, {
      id: `block_${i}`,
      type: 'chart',
      position: { x: 0, y: i, w: 2, h: 1 },
      author: 'w',
    })
  }
  const reader = await connectSynced(server.wsUrl, ws.canvasId, ws.token)
  await waitConverged([writer.doc, reader.doc])
  const view = toCanvasJSON(reader.doc)
  writer.destroy()
  reader.destroy()
  return view
}

for (const backend of backends) {
  const test = suite(`durability on ${backend.name}`)
  let env: Record<string, string> | null = null
  let teardown: () => Promise<void> = async () => undefined
  let removeDir: () => void = () => undefined
  let dataDir = ''

  test.before(async () => {
    const setup = await backend.setup()
    if (setup === null) return
    env = setup.env
    teardown = setup.teardown
    const data = tempDataDir()
    dataDir = data.dir
    removeDir = data.remove
  })

  test.after(async () => {
    await teardown()
    removeDir()
  })

  test('graceful restart keeps the document', async () => {
    if (env === null) return
    let server: ServerProcess = await startServerProcess({ env, dataDir })
    const ws = await createWorkspace(server.httpUrl, 'restart')
    const a = await connectSynced(server.wsUrl, ws.canvasId, ws.token)
    for (let i = 0; i < 30; i++) {
      addBlock(a.doc, { id: `block_${i}`, type: 'chart', position: { x: 0, y: i, w: 2, h: 1 }, author: 'a' })
    }
    const b = await connectSynced(server.wsUrl, ws.canvasId, ws.token)
    await waitConverged([a.doc, b.doc])
    const before = toCanvasJSON(b.doc)
    a.destroy()
    b.destroy()
    // An open socket is told the server is going away (1001), not just dropped.
    const watcher = new WebSocket(`${server.wsUrl}/${ws.canvasId}?token=${ws.token}`)
    await new Promise((resolve, reject) => {
      watcher.once('open', resolve)
      watcher.once('error', reject)
    })
    const closeCode = new Promise<number>((resolve) => watcher.once('close', (code) => resolve(code)))
    assert.is(await server.stop('SIGTERM'), 0, 'clean exit on SIGTERM')
    assert.is(await closeCode, CloseCode.GoingAway)
    server = await server.restart()
    try {
      const c = await connectSynced(server.wsUrl, ws.canvasId, ws.token)
      assert.equal(toCanvasJSON(c.doc), before)
      c.destroy()
    } finally {
      await server.stop('SIGKILL')
    }
  })

  test('a large canvas compacted from its stored rows on the compaction thread reloads with every edit', async () => {
    if (env === null) return
    // Debug logs: each compaction says how its state was built.
    let server: ServerProcess = await startServerProcess({ env: { ...env, LOG_LEVEL: 'debug' }, dataDir })
    const ws = await createWorkspace(server.httpUrl, 'fold')
    try {
      await addBlocksThroughClient(server, ws, 0, 400)
      // The first restart stores the canvas as one state of tens of kilobytes.
      assert.is(await server.stop('SIGTERM'), 0)
      server = await server.restart()
      // A few edits on top of it: the compaction at the next stop folds the stored state and these journal entries
      // on the compaction thread (compaction/cost.ts) instead of encoding the live document.
      const before = await addBlocksThroughClient(server, ws, 400, 405)
      assert.is(before.blocks.length, 405)
      assert.is(await server.stop('SIGTERM'), 0, 'clean exit after the compaction')
      const compactions = server.logs.filter((line) => line.includes('"msg":"compacted"'))
      assert.ok(
        compactions.some((line) => line.includes('"folded":true')),
        `folded on the compaction thread: ${compactions.join('\n')}`,
      )
      server = await server.restart()
      const fresh = await connectSynced(server.wsUrl, ws.canvasId, ws.token)
      assert.equal(toCanvasJSON(fresh.doc), before)
      fresh.destroy()
    } finally {
      await server.stop('SIGKILL')
    }
  })

  test('SIGKILL right after clients received edits loses none of them', async () => {
    if (env === null) return
    let server: ServerProcess = await startServerProcess({ env, dataDir })
    const ws = await createWorkspace(server.httpUrl, 'kill')
    const writer = await connectSynced(server.wsUrl, ws.canvasId, ws.token)
    const reader = await connectSynced(server.wsUrl, ws.canvasId, ws.token)
    // The writer keeps editing; the moment the reader has received 25 of its blocks the server is killed mid-stream.
    let written = 0
    const pump = setInterval(() => {
      for (let i = 0; i < 5 && written < 2000; i++, written++) {
        addBlock(writer.doc, {
          id: `block_${written}`,
          type: 'table',
          position: { x: 0, y: written, w: 1, h: 1 },
          author: 'w',
        })
      }
    }, 1)
    try {
      await waitFor('reader to receive edits', () => (blockIds(reader).length >= 25 ? true : undefined))
      await server.stop('SIGKILL')
    } finally {
      clearInterval(pump)
    }
    const received = blockIds(reader)
    // Drop both clients before the restart so they cannot re-send what the server lost.
    writer.destroy()
    reader.destroy()
    assert.ok(written > received.length || written === received.length)
    server = await server.restart()
    try {
      const fresh = await connectSynced(server.wsUrl, ws.canvasId, ws.token)
      const stored = new Set(blockIds(fresh))
      const missing = received.filter((id) => !stored.has(id))
      assert.equal(
        missing,
        [],
        `edits received by a client but lost by the server (${received.length} received)`,
      )
      fresh.destroy()
    } finally {
      await server.stop('SIGKILL')
    }
  })

  test.run()
}
