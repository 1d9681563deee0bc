// Helpers for the canvas unit tests only; not part of the public API.
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { CanvasModelError } from './errors.ts'
import { initCanvasDoc } from './layout.ts'

export const AUTHOR = 'user-1'
export const FIXED_NOW = new Date('2024-01-15T10:30:00.000Z')

/** Asserts that `fn` throws a CanvasModelError whose message matches `pattern`. */
export function throwsModelError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => error instanceof CanvasModelError && pattern.test(error.message))
}

/** Brings two replicas to the same state by exchanging the updates each is missing, as the sync protocol does. */
export function syncDocs(a: Y.Doc, b: Y.Doc): void {
  const aMissing = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a))
  const bMissing = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b))
  Y.applyUpdate(a, aMissing)
  Y.applyUpdate(b, bMissing)
}

/** A replica that starts from a copy of `source`. */
export function replicaOf(source: Y.Doc): Y.Doc {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(source))
  return doc
}

export function newCanvas(name = 'Q4 Sales Analysis'): Y.Doc {
  const doc = new Y.Doc()
  initCanvasDoc(doc, { name, description: 'Analysis of Q4 2024 sales performance', tags: ['sales', 'q4'] })
  return doc
}

/** Runs `fn` and returns the updates `doc` emitted meanwhile (one per transaction that changed something). */
export function updatesDuring(doc: Y.Doc, fn: () => void): Uint8Array[] {
  const updates: Uint8Array[] = []
  const record = (update: Uint8Array): void => {
    updates.push(update)
  }
  doc.on('update', record)
  try {
    fn()
  } finally {
    doc.off('update', record)
  }
  return updates
}
