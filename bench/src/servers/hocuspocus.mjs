/**
 * Hocuspocus 3.4.4 with its defaults (no persistence extension: documents live in memory). With
 * BENCH_STORE_DIR an extension loads stored canvases in onLoadDocument and writes a snapshot in
 * onStoreDocument (debounced by Hocuspocus as usual), like its database extension does.
 */
import { Server } from '@hocuspocus/server'
import { host, requirePort } from './http-util.mjs'
import { hasStore, loadStored, storeSnapshot } from './stored-docs.mjs'

const extensions = hasStore()
  ? [
      {
        async onLoadDocument({ documentName, document }) {
          loadStored(documentName, document)
          return document
        },
        async onStoreDocument({ documentName, document }) {
          storeSnapshot(documentName, document)
        },
      },
    ]
  : []

const server = new Server({
  port: requirePort(),
  address: host(),
  quiet: true,
  stopOnSignals: true,
  extensions,
})
await server.listen()
