/**
 * Stored canvases for the peers in S5/S7: BENCH_STORE_DIR holds one file per document, the
 * document's state as a single Yjs update (what Hocuspocus' database extension and a compacted
 * y-leveldb store hold in steady state). Reading and applying is synchronous so the document is
 * complete before the server answers sync step 1.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as Y from 'yjs'

const storeDir = process.env.BENCH_STORE_DIR

export const storeFile = (dir, docName) => join(dir, `${encodeURIComponent(docName)}.ystate`)

/** Applies the stored state of `docName` to `doc`, if a store is configured and holds one. */
export const loadStored = (docName, doc) => {
  if (!storeDir) return false
  const file = storeFile(storeDir, docName)
  if (!existsSync(file)) return false
  Y.applyUpdate(doc, new Uint8Array(readFileSync(file)))
  return true
}

/** Writes the full state of `doc` (a snapshot), if a store is configured. */
export const storeSnapshot = (docName, doc) => {
  if (!storeDir) return
  writeFileSync(storeFile(storeDir, docName), Y.encodeStateAsUpdate(doc))
}

export const hasStore = () => Boolean(storeDir)
