/**
 * The y-websocket 1.5.4 reference server: `setupWSConnection` from y-websocket/bin/utils, behind a
 * `ws` 8 server (bin/server.js itself pins ws 6; ws 8 is what Hocuspocus and Jabiru use, so the
 * socket layer is the same for every server). Without BENCH_STORE_DIR it keeps documents in memory
 * only, as bin/server.js does by default. With it, stored canvases are loaded on first open and a
 * snapshot is written when the last connection leaves (y-websocket's writeState hook).
 */
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { WebSocketServer } from 'ws'
import { host, readyz, requirePort } from './http-util.mjs'
import { hasStore, loadStored, storeSnapshot } from './stored-docs.mjs'

const require = createRequire(import.meta.url)
const utils = require('y-websocket/bin/utils')

if (hasStore()) {
  utils.setPersistence({
    bindState: (docName, doc) => {
      loadStored(docName, doc)
    },
    writeState: async (docName, doc) => {
      storeSnapshot(docName, doc)
    },
  })
}

const server = createServer(readyz)
const wss = new WebSocketServer({ noServer: true })
wss.on('connection', utils.setupWSConnection)
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
})
server.listen(requirePort(), host())
