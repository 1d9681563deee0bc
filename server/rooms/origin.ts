/**
 * Transaction origins on a room's Y.Doc. Every change to a live document goes through one of these, and code that
 * reacts to changes switches on `kind` exhaustively.
 */
export type TransactionOrigin =
  /** Rebuilding the document from storage. */
  | { readonly kind: 'load' }
  /** An update a client of this instance sent, journaled before it was applied. */
  | { readonly kind: 'client'; readonly connectionId: string; readonly userId: string }
  /** An update another instance journaled and relayed over the bus (or read back from the journal). */
  | { readonly kind: 'remote'; readonly instanceId: string }
  /** A change the server made itself (restore, template), journaled like any other. */
  | { readonly kind: 'server'; readonly reason: string }

export const LOAD_ORIGIN: TransactionOrigin = Object.freeze({ kind: 'load' })

export function describeOrigin(origin: TransactionOrigin): string {
  switch (origin.kind) {
    case 'load':
      return 'load'
    case 'client':
      return `client ${origin.connectionId}`
    case 'remote':
      return `instance ${origin.instanceId}`
    case 'server':
      return `server (${origin.reason})`
    default: {
      const never: never = origin
      return String(never)
    }
  }
}
