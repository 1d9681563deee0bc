/** Messages between the embedded database's thread (worker.ts) and the process's event loop (thread.ts). */

export interface WorkerOptions {
  /** PGlite's data directory; null = in memory (tests). */
  readonly dataDir: string | null
}

export type WorkerRequest =
  | { readonly kind: 'query'; readonly id: number; readonly sql: string; readonly params: readonly unknown[] }
  | { readonly kind: 'close'; readonly id: number }

/** A database error as plain data: Error objects lose their SQLSTATE `code` (and the rest) crossing threads. */
export interface SerializedError {
  readonly message: string
  readonly fields: Readonly<Record<string, string>>
}

export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'open-failed'; readonly error: SerializedError }
  /** Something the thread could not do that is no failure (e.g. lowering its CPU priority), for the log. */
  | { readonly kind: 'warning'; readonly message: string }
  | {
      readonly kind: 'result'
      readonly id: number
      /** The receiver's own array (messages are structured clones): no need to copy it again. */
      readonly rows: unknown[]
      readonly affectedRows: number | null
    }
  | { readonly kind: 'failed'; readonly id: number; readonly error: SerializedError }
  | { readonly kind: 'closed'; readonly id: number }

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { message: String(error), fields: {} }
  const fields: Record<string, string> = {}
  // pg-protocol's DatabaseError: code (SQLSTATE), detail, constraint, table, column, severity, ...
  for (const [key, value] of Object.entries(error)) if (typeof value === 'string') fields[key] = value
  return { message: error.message, fields }
}

/** The error on the loop's side: the message, `code` and other fields the database reported. */
export function deserializeError(error: SerializedError, context?: string): Error {
  const message = context === undefined ? error.message : `${context}: ${error.message}`
  return Object.assign(new Error(message), error.fields)
}
