/**
 * Persistence ports. Each has an embedded adapter (PGlite / in-process) and a real one (PostgreSQL, Redis, MongoDB),
 * and one conformance suite in persistence/conformance/ that every adapter passes.
 * Implementations never leak upward: the server only sees these interfaces.
 */

// ---------------------------------------------------------------------------------------------------------------
// Document store: live state + write-ahead journal of a canvas's Yjs document.
// ---------------------------------------------------------------------------------------------------------------

/** One update to append to a canvas journal. */
export interface JournalAppend {
  readonly canvasId: string
  readonly update: Uint8Array
  /** The authenticated user whose connection produced the update; null for server-made changes. */
  readonly authorId: string | null
}

/** One stored journal entry. Seqs are per canvas, start at 1, are contiguous and committed in order. */
export interface JournalEntry {
  readonly seq: number
  readonly update: Uint8Array
  readonly authorId: string | null
  readonly createdAt: Date
}

export interface StoredDocument {
  /** Compacted Yjs state (an update), or null when nothing was compacted yet. */
  readonly state: Uint8Array | null
  /** Every journal entry with seq <= stateSeq is contained in `state` (0 when state is null). */
  readonly stateSeq: number
  /** Journal entries with seq > stateSeq, in seq order. */
  readonly journal: readonly JournalEntry[]
}

export interface CompactionResult {
  /** False when the stored state already covered `upToSeq` (another writer compacted further); nothing changed. */
  readonly written: boolean
  readonly stateSeq: number
}

export interface JournalStats {
  readonly entries: number
  readonly bytes: number
}

export interface DocumentStore {
  /**
   * Durably appends entries (possibly for several canvases) in one commit: group commit lives above this call.
   * Resolves, after the commit, to the seq assigned to each entry, in input order. Rejects without a partial commit.
   */
  appendJournal(entries: readonly JournalAppend[]): Promise<number[]>
  /** Stored state plus journal tail. A canvas never written returns { state: null, stateSeq: 0, journal: [] }. */
  loadDocument(canvasId: string): Promise<StoredDocument>
  /** Journal entries with seq > afterSeq (used to repair missed relays). */
  readJournal(canvasId: string, afterSeq: number): Promise<JournalEntry[]>
  /**
   * Replaces the stored state by `state`, which the caller guarantees contains every entry with seq <= upToSeq,
   * and deletes those entries, atomically. Only writes when the stored stateSeq < upToSeq, so a compactor that is
   * behind can never overwrite a more complete state (safe with several instances compacting the same canvas).
   */
  compact(canvasId: string, state: Uint8Array, upToSeq: number): Promise<CompactionResult>
  journalStats(canvasId: string): Promise<JournalStats>
  /** Removes the document and its journal (hard delete; retention purge). */
  deleteDocument(canvasId: string): Promise<void>
  /** Cheap round trip for /readyz. */
  ping(): Promise<void>
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------------------------
// Bus: cross-instance fan-out of accepted updates and awareness for one canvas. Lossy (pub/sub); receivers detect
// gaps through `seq` and repair from the journal.
// ---------------------------------------------------------------------------------------------------------------

export type BusMessage =
  | {
      readonly kind: 'update'
      readonly canvasId: string
      readonly origin: string
      readonly seq: number
      readonly update: Uint8Array
    }
  | {
      readonly kind: 'awareness'
      readonly canvasId: string
      readonly origin: string
      readonly payload: Uint8Array
    }
  /** Block leases of a canvas changed: instances refresh their lock cache and tell their clients. */
  | { readonly kind: 'locks'; readonly canvasId: string; readonly origin: string }
  /** Access changed for a user or canvas: open sockets must re-check (live revocation). */
  | {
      readonly kind: 'access'
      readonly canvasId: string | null
      readonly userId: string | null
      readonly origin: string
    }

export type BusListener = (message: BusMessage) => void

export interface Subscription {
  unsubscribe(): Promise<void>
}

export interface Bus {
  /** Identifies this instance; messages it published come back with this origin and should be ignored. */
  readonly instanceId: string
  publish(message: BusMessage): Promise<void>
  /** Messages for one canvas (`canvasId`) or the global channel (`null`: access changes with canvasId null). */
  subscribe(canvasId: string | null, listener: BusListener): Promise<Subscription>
  /** Called after the transport reconnects (messages may have been lost meanwhile). */
  onReconnect(listener: () => void): void
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------------------------
// Presence: who is on a canvas, mirrored for REST queries and cleaned by TTL when an instance dies.
// ---------------------------------------------------------------------------------------------------------------

export interface PresenceEntry {
  readonly userId: string
  readonly displayName: string
  /** Number of connections this user has on this canvas, summed over instances. */
  readonly connections: number
  readonly cursor: unknown
  readonly selection: unknown
  readonly lastSeen: Date
}

export interface PresenceStore {
  /** Sets (or refreshes) one connection's presence; `ttlMs` bounds how long it survives without a refresh. */
  upsert(
    canvasId: string,
    connectionId: string,
    entry: { userId: string; displayName: string; cursor: unknown; selection: unknown },
    ttlMs: number,
  ): Promise<void>
  remove(canvasId: string, connectionId: string): Promise<void>
  /** Live (unexpired) presence, one entry per user. */
  list(canvasId: string): Promise<PresenceEntry[]>
  /** Number of distinct live users for each given canvas (0 for none). */
  countByCanvas(canvasIds: readonly string[]): Promise<Map<string, number>>
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------------------------
// Locks: block leases with fencing tokens.
// ---------------------------------------------------------------------------------------------------------------

export interface BlockLease {
  readonly canvasId: string
  readonly blockId: string
  readonly userId: string
  /** Opaque secret needed to renew or release. */
  readonly token: string
  /** Strictly increasing per canvas+block across acquisitions (fencing). */
  readonly fence: number
  readonly expiresAt: Date
}

export type LockResult =
  | { readonly ok: true; readonly lease: BlockLease }
  | { readonly ok: false; readonly heldBy: BlockLease }

export interface LockManager {
  /** Exactly one of concurrent acquirers wins. A user re-acquiring its own live lease renews it. */
  acquire(canvasId: string, blockId: string, userId: string, ttlMs: number): Promise<LockResult>
  /** Extends a lease; null when the token is not the current holder's (expired or broken). */
  renew(canvasId: string, blockId: string, token: string, ttlMs: number): Promise<BlockLease | null>
  /** Releases by token; false when the token does not hold the lock. */
  release(canvasId: string, blockId: string, token: string): Promise<boolean>
  /** Removes whatever lease exists (admin break); returns the removed lease. */
  forceRelease(canvasId: string, blockId: string): Promise<BlockLease | null>
  /** Releases every lease a user holds on a canvas (their last connection closed). */
  releaseAllForUser(canvasId: string, userId: string): Promise<BlockLease[]>
  list(canvasId: string): Promise<BlockLease[]>
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------------------------
// Sessions: opaque bearer tokens; only a hash of the token is stored.
// ---------------------------------------------------------------------------------------------------------------

export interface Session {
  readonly tokenHash: string
  readonly userId: string
  readonly organizationId: string
  readonly createdAt: Date
  readonly expiresAt: Date
}

export interface SessionStore {
  create(session: Session): Promise<void>
  /** The live session for this hash, or null (unknown, revoked or expired). */
  get(tokenHash: string): Promise<Session | null>
  revoke(tokenHash: string): Promise<void>
  /** Revokes every session of a user; returns how many were revoked. */
  revokeAllForUser(userId: string): Promise<number>
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------------------------
// Rate limiting: fixed or sliding window counters per key.
// ---------------------------------------------------------------------------------------------------------------

export type RateDecision =
  | { readonly allowed: true; readonly remaining: number }
  | { readonly allowed: false; readonly retryAfterMs: number }

export interface RateLimiter {
  /** Counts one hit (or `cost`) against `key` allowing `limit` per `windowMs`. */
  hit(key: string, limit: number, windowMs: number, cost?: number): Promise<RateDecision>
  close(): Promise<void>
}
