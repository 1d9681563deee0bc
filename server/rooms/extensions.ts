import type * as Y from 'yjs'
import type { Connection } from './connection.ts'
import type { DecodedUpdate } from './inbound.ts'
import type { TransactionOrigin } from './origin.ts'

/**
 * The typed extension contract of a room (what Hocuspocus does with 25 `any`-typed hooks, here with a few typed
 * ones). Extensions are listed once in the composition root and called in order. Hooks on the per-message path
 * are synchronous on purpose: they must not reorder a connection's updates or stall the room.
 */
export interface RoomView {
  readonly canvasId: string
  /** The live document. Extensions read it; they change it only through `submitServerUpdate`. */
  readonly doc: Y.Doc
  readonly connections: ReadonlySet<Connection>
  /** Journals, applies and relays a server-made change like a client update. */
  submitServerUpdate(update: Uint8Array, reason: string, authorId: string | null): Promise<void>
  /** Sends a frame to every local connection (e.g. a notice). */
  broadcast(frame: Uint8Array): void
}

export type UpdateVerdict =
  | { readonly kind: 'accept' }
  | {
      readonly kind: 'reject'
      readonly reason: 'block-locked' | 'invalid'
      readonly blockIds?: readonly string[]
    }

export const ACCEPT: UpdateVerdict = Object.freeze({ kind: 'accept' })

export interface AcceptedUpdate {
  readonly update: Uint8Array
  /** 0 when the journal is disabled (benchmarks). */
  readonly seq: number
  readonly origin: TransactionOrigin
  readonly authorId: string | null
}

/** An access change published on the bus; null fields mean "any". */
export interface AccessChange {
  readonly canvasId: string | null
  readonly userId: string | null
}

export interface RoomExtension {
  readonly name: string
  /**
   * Called before a client's update is journaled; a rejection drops it everywhere and tells the sender. `decoded`
   * is the update as parsed at validation (shared: read it, never integrate its structs).
   */
  checkUpdate?(
    room: RoomView,
    connection: Connection,
    update: Uint8Array,
    decoded: DecodedUpdate,
  ): UpdateVerdict
  /** After an update (local, remote or server-made) was applied and relayed. */
  afterUpdate?(room: RoomView, accepted: AcceptedUpdate): void
  /**
   * Rewrites the awareness state a connection publishes (e.g. stamping the authenticated user). Return null to
   * drop the state. Runs on every awareness message of the connection.
   */
  awarenessState?(
    room: RoomView,
    connection: Connection,
    state: Record<string, unknown>,
  ): Record<string, unknown> | null
  connectionAdded?(room: RoomView, connection: Connection): void
  connectionRemoved?(room: RoomView, connection: Connection): void
  /** Awaited before the room takes connections (e.g. to load lock state the update guard needs). */
  roomLoaded?(room: RoomView): void | Promise<void>
  /** Before a room unloads (its last connection left and the grace period passed), after journal writes settled. */
  beforeUnload?(room: RoomView): Promise<void>
  /**
   * Someone changed who may access this canvas (membership, sharing, session, user deactivation), on this or any
   * other instance. Re-check the room's connections: close them or downgrade them to read-only.
   */
  accessChanged?(room: RoomView, change: AccessChange): void
  /** Block leases of this canvas changed (on this or another instance). */
  locksChanged?(room: RoomView): void
  /** The room is gone: release timers and caches. */
  roomDestroyed?(room: RoomView): void
}
