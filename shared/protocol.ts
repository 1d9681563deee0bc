/**
 * Wire protocol: the y-websocket protocol (a varUint message type, then the payload) plus Jabiru's own messages.
 * Stock y-websocket clients understand types 0, 1 and 3 and ignore the rest.
 */
export const PROTOCOL_VERSION = 1

/** Top-level message types (first varUint of every binary frame). */
export const MessageType = {
  Sync: 0,
  Awareness: 1,
  Auth: 2,
  QueryAwareness: 3,
  /** Jabiru: a JSON notice from the server to one client (see ServerNotice). Stock clients ignore it. */
  Notice: 100,
} as const
export type MessageType = (typeof MessageType)[keyof typeof MessageType]

/** Sub-types of a Sync message, as defined by y-protocols/sync. */
export const SyncMessageType = {
  Step1: 0,
  Step2: 1,
  Update: 2,
} as const
export type SyncMessageType = (typeof SyncMessageType)[keyof typeof SyncMessageType]

/**
 * Notices the server sends with MessageType.Notice, JSON-encoded as a varString.
 * - `read-only`: the connection may read but its document changes are dropped (viewer role).
 * - `update-rejected`: an update was refused and not applied anywhere. The client's Y.Doc still holds the change, and
 *   Yjs orders each client's changes, so every later change of that Y.Doc depends on the refused one: the server
 *   refuses them too (`resync-required`) until the client reconnects with a fresh Y.Doc (a new client id), which
 *   receives the server's state. Undoing locally does not help (the undo is itself a later change).
 * - `locks`: the current block leases of the canvas (sent on join and whenever they change).
 * - `editable`: a read-only connection may edit from now on (its user was promoted, e.g. viewer to editor). With
 *   `resyncRequired`, an update of this Y.Doc was refused while it was read-only, so its later changes are refused
 *   too (see `update-rejected`) until it reconnects with a fresh Y.Doc.
 */
export type ServerNotice =
  | { readonly type: 'read-only'; readonly reason: string }
  | { readonly type: 'editable'; readonly resyncRequired: boolean }
  | {
      readonly type: 'update-rejected'
      readonly reason: 'read-only' | 'block-locked' | 'invalid' | 'resync-required'
      readonly blockIds?: readonly string[]
    }
  | {
      readonly type: 'locks'
      readonly locks: readonly {
        readonly block_id: string
        readonly user_id: string
        readonly expires_at: string
        readonly fence: number
      }[]
    }
