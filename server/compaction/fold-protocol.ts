import type { SkippedUpdate } from './fold.ts'

/**
 * Messages between the fold thread (fold-worker.ts) and the event loop (state-folder.ts). The state and updates of
 * a request travel as one buffer, transferred, not cloned: a Uint8Array that is a view into a larger buffer (a
 * journal entry read from a log file) would otherwise be cloned with all of that buffer.
 */
export interface FoldRequest {
  readonly id: number
  /** `base` (when hasBase) followed by the updates, back to back. */
  readonly bytes: Uint8Array
  /** Length of each piece of `bytes`, in order. */
  readonly lengths: readonly number[]
  readonly hasBase: boolean
}

export type FoldReply =
  | {
      readonly kind: 'folded'
      readonly id: number
      readonly state: Uint8Array
      readonly skipped: SkippedUpdate[]
    }
  | { readonly kind: 'failed'; readonly id: number; readonly message: string }
  /** Something the thread could not do that is no failure (e.g. lowering its CPU priority), for the log. */
  | { readonly kind: 'warning'; readonly message: string }

/** Packs a fold's inputs into one transferable buffer. */
export function packFoldRequest(
  id: number,
  base: Uint8Array | null,
  updates: readonly Uint8Array[],
): FoldRequest {
  const pieces = base === null ? updates : [base, ...updates]
  const bytes = new Uint8Array(pieces.reduce((sum, piece) => sum + piece.length, 0))
  let at = 0
  for (const piece of pieces) {
    bytes.set(piece, at)
    at += piece.length
  }
  return { id, bytes, lengths: pieces.map((piece) => piece.length), hasBase: base !== null }
}

/** The inverse of packFoldRequest: views into the request's buffer. */
export function unpackFoldRequest(request: FoldRequest): { base: Uint8Array | null; updates: Uint8Array[] } {
  const pieces: Uint8Array[] = []
  let at = 0
  for (const length of request.lengths) {
    pieces.push(request.bytes.subarray(at, at + length))
    at += length
  }
  const base = request.hasBase ? (pieces.shift() ?? null) : null
  return { base, updates: pieces }
}
