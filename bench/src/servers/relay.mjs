/**
 * Raw `ws` relay: the physical-limit line. Every frame a client sends is forwarded unchanged to the
 * other clients of the same room (the URL path). It keeps no document: a y-websocket sync step 1 is
 * answered with a constant empty sync step 2 so clients reach "synced" with the least possible work.
 */
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'
import { host, readyz, requirePort } from './http-util.mjs'

const EMPTY_STEP2 = Buffer.from([0, 1, 2, 0, 0])
const rooms = new Map()

const server = createServer(readyz)
const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 * 1024 })

wss.on('connection', (ws, req) => {
  const room = (req.url ?? '/').split('?')[0]
  let peers = rooms.get(room)
  if (!peers) {
    peers = new Set()
    rooms.set(room, peers)
  }
  peers.add(ws)
  ws.on('message', (data, isBinary) => {
    if (data[0] === 0 && data[1] === 0) {
      ws.send(EMPTY_STEP2)
      return
    }
    for (const peer of peers) {
      if (peer !== ws && peer.readyState === 1) peer.send(data, { binary: isBinary })
    }
  })
  ws.on('close', () => {
    peers.delete(ws)
    if (peers.size === 0) rooms.delete(room)
  })
  ws.on('error', (err) => {
    console.error(`relay socket error: ${err.message}`)
  })
})

server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
})
server.listen(requirePort(), host())
