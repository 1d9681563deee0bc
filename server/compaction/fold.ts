import * as Y from 'yjs'

export interface FoldResult {
  /** The state (a Yjs update) holding the base state and every update that applied. */
  readonly state: Uint8Array
  /** Updates that failed to apply and were skipped: their index in the updates given, and why. */
  readonly skipped: readonly SkippedUpdate[]
}

export interface SkippedUpdate {
  readonly index: number
  readonly reason: string
}

/**
 * Folds journal updates into a stored state through a fresh Y.Doc, the way a room loads them (one transaction; an
 * update that fails to apply is skipped, never fatal), so the result is what a load of the same rows would build.
 * A base state that fails to apply throws: folding past it would store a state that lost the canvas.
 */
export function foldState(base: Uint8Array | null, updates: readonly Uint8Array[]): FoldResult {
  const doc = new Y.Doc()
  try {
    const skipped: SkippedUpdate[] = []
    doc.transact(() => {
      if (base !== null) Y.applyUpdate(doc, base)
      updates.forEach((update, index) => {
        try {
          Y.applyUpdate(doc, update)
        } catch (error) {
          skipped.push({ index, reason: error instanceof Error ? error.message : String(error) })
        }
      })
    })
    return { state: Y.encodeStateAsUpdate(doc), skipped }
  } finally {
    doc.destroy()
  }
}
