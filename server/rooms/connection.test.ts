import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { WebSocket, WebSocketServer } from 'ws'
import { testPrincipal } from '../../test/support/principal.ts'
import { once, waitFor } from '../../test/support/wait.ts'
import { Broadcast } from '../ws/binary-frame.ts'
import { Connection, type Wire } from './connection.ts'

const principal = testPrincipal()

interface Pair {
  readonly server: Server
  readonly connection: Connection
  readonly serverSocket: WebSocket
  readonly client: WebSocket
  readonly received: Buffer[]
}

/** A real ws server whose accepted socket is wrapped in a Connection writing to the upgraded socket itself. */
async function connectedPair(wrap: (wire: Duplex) => Wire = (wire) => wire): Promise<Pair> {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })
  const server = createServer()
  const accepted = new Promise<{ ws: WebSocket; wire: Duplex }>((resolve) => {
    server.on('upgrade', (request, wire, head) => {
      wss.handleUpgrade(request, wire, head, (ws) => resolve({ ws, wire }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false })
  const received: Buffer[] = []
  client.on('message', (data) => received.push(data as Buffer))
  const { ws, wire } = await accepted
  await once<void>((listener) => {
    if (client.readyState === WebSocket.OPEN) setImmediate(listener)
    else client.once('open', () => listener())
    return () => client.off('open', listener)
  }, 'client open')
  return {
    server,
    connection: new Connection(ws, principal, { kind: 'edit', role: 'editor' }, wrap(wire)),
    serverSocket: ws,
    client,
    received,
  }
}

async function closePair(pair: Pair): Promise<void> {
  pair.client.terminate()
  pair.serverSocket.terminate()
  await new Promise<void>((resolve) => pair.server.close(() => resolve()))
}

const message = (length: number, seed: number): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (i * 31 + seed) % 256)

test('messages framed by the connection reach a ws client intact, at every length encoding', async () => {
  const pair = await connectedPair()
  try {
    // 7-bit, 16-bit and 64-bit lengths at their edges; past 16 KB the payload is written without a copy.
    const lengths = [0, 1, 125, 126, 127, 16 * 1024, 16 * 1024 + 1, 65_535, 65_536, 200_000]
    const sent = lengths.map((length, i) => message(length, i))
    for (const [i, bytes] of sent.entries()) {
      pair.connection.send(i % 2 === 0 ? bytes : new Broadcast(bytes))
      // ws's own frames interleave with ours on the same socket.
      if (i === 3) pair.serverSocket.ping()
    }
    await waitFor('every message', () => (pair.received.length === sent.length ? true : undefined))
    for (const [i, bytes] of sent.entries()) {
      assert.equal(new Uint8Array(pair.received[i] ?? []), bytes, `message ${i} (${bytes.length} bytes)`)
    }
  } finally {
    await closePair(pair)
  }
})

test('one broadcast is framed once and reaches every connection', async () => {
  const pairs = [await connectedPair(), await connectedPair(), await connectedPair()]
  try {
    const broadcast = new Broadcast(message(300, 7))
    for (const pair of pairs) pair.connection.send(broadcast)
    assert.is(broadcast.frame, broadcast.frame, 'framed once')
    for (const pair of pairs) {
      await waitFor('the broadcast', () => (pair.received.length === 1 ? true : undefined))
      assert.equal(new Uint8Array(pair.received[0] ?? []), broadcast.message)
    }
  } finally {
    for (const pair of pairs) await closePair(pair)
  }
})

test('nothing is written once ws has begun closing the socket', async () => {
  let writes = 0
  const pair = await connectedPair((wire) => ({
    cork: () => wire.cork(),
    uncork: () => wire.uncork(),
    write: (chunk) => {
      writes++
      return wire.write(chunk)
    },
  }))
  try {
    const closed = once<number>((listener) => {
      pair.client.once('close', listener)
      return () => pair.client.off('close', listener)
    }, 'client close')
    pair.serverSocket.close(1000)
    // ws sent its close frame: a data frame after it would break the protocol.
    pair.connection.send(message(10, 1))
    assert.is(writes, 0, 'no frame after the close frame')
    assert.is(await closed, 1000)
    assert.is(pair.received.length, 0)
  } finally {
    await closePair(pair)
  }
})

test.run()
