import type { JournalAppend } from './ports.ts'

/**
 * Argument checks of the DocumentStore port, shared by every adapter (SQL, local log, MongoDB) so they all refuse
 * the same inputs the same way, before any I/O.
 */

/** Canonical lower-case UUID, the form PostgreSQL prints: ids stay comparable across adapters and file names. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export function isCanonicalUuid(value: unknown): value is string {
  return typeof value === 'string' && CANONICAL_UUID.test(value)
}

export function assertUuid(value: string, what: string): void {
  if (!isCanonicalUuid(value)) {
    throw new TypeError(`${what} must be a lower-case UUID, got ${JSON.stringify(value)}`)
  }
}

export function assertCanvasId(canvasId: string): void {
  assertUuid(canvasId, 'canvas id')
}

export function assertSeqArgument(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${String(value)}`)
  }
}

/** Every entry of an append batch: canvas and author ids canonical, update bytes a Uint8Array. */
export function assertJournalAppends(entries: readonly JournalAppend[]): void {
  for (const entry of entries) {
    assertCanvasId(entry.canvasId)
    if (entry.authorId !== null) assertUuid(entry.authorId, 'author id')
    if (!(entry.update instanceof Uint8Array)) throw new TypeError('journal update must be a Uint8Array')
  }
}

export function assertCompaction(canvasId: string, state: Uint8Array, upToSeq: number): void {
  assertCanvasId(canvasId)
  assertSeqArgument(upToSeq, 'upToSeq')
  if (!(state instanceof Uint8Array)) throw new TypeError('compacted state must be a Uint8Array')
}
