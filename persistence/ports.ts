/**
 * Persistence ports. Each has an embedded adapter (PGlite / in-process) and a real one (PostgreSQL, Redis, MongoDB),
 * and one conformance suite in persistence/conformance/ that every adapter passes.
 * Implementations never leak upward: the server only sees these interfaces.
 */

import type {
  BlockPosition,
  BlockType,
  CanvasJSON,
  ChangeSummary,
  JsonObject,
} from '../shared/canvas/index.ts'

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
// Version history: numbered snapshots of a canvas. Yjs data is stored as periodic keyframes (full state) and deltas
// (what changed since the parent), so rebuilding any version applies one keyframe and at most a few deltas.
// ---------------------------------------------------------------------------------------------------------------

/** What made the server take a version. */
export type VersionTrigger = 'quiet' | 'interval' | 'unload' | 'manual' | 'restore' | 'pre-restore'

/** `keyframe`: `data` is the full state. `delta`: `data` applied to the parent version's state gives this one. */
export type VersionKind = 'keyframe' | 'delta'

/** The main line of history; other branches are reserved by the data model for later. */
export const MAIN_BRANCH = 'main'

export interface NewVersion {
  readonly canvasId: string
  /** Linear per canvas: always parentVersion + 1. (canvas, version) is unique: of two writers, one gets a conflict. */
  readonly version: number
  /** 0 for the first version. */
  readonly parentVersion: number
  readonly branch: string
  /** Users whose updates went into this version since the parent (ids, distinct). */
  readonly authors: readonly string[]
  readonly label: string | null
  readonly trigger: VersionTrigger
  /** Canvas-aware changes from the parent (shared/canvas summarizeChanges). */
  readonly summary: ChangeSummary
  readonly kind: VersionKind
  /** The keyframe this version is rebuilt from: `version` itself for a keyframe, an older one for a delta. */
  readonly keyframeVersion: number
  /** A Yjs update: the full state (keyframe) or Y.encodeStateAsUpdate(doc, parentStateVector) (delta). */
  readonly data: Uint8Array
  /** Y.encodeStateVector of this version's state (the base of the next delta). */
  readonly stateVector: Uint8Array
  /** The canvas at this version; the adapter keeps the newest one as the canvas's materialized JSON. */
  readonly canvas: CanvasJSON
  /** When the version was taken (the writer's clock; retention compares it with its cutoff). */
  readonly createdAt: Date
}

/** A stored version without its Yjs data (and without the canvas JSON, which only the newest keeps). */
export type VersionInfo = Omit<NewVersion, 'data' | 'canvas'> & {
  /** Size of `data` in bytes. */
  readonly dataBytes: number
}

export interface VersionData extends VersionInfo {
  readonly data: Uint8Array
}

export type AppendVersionResult =
  | { readonly kind: 'created'; readonly info: VersionInfo }
  /** Another writer already stored this (canvas, version): nothing was written. */
  | { readonly kind: 'conflict' }

export interface VersionPage {
  /** Newest first. */
  readonly versions: readonly VersionInfo[]
  /** Pass as `before` for the next page; null on the last page. */
  readonly nextBefore: number | null
}

/** The newest version's canvas JSON, kept beside the versions (MongoDB: the data model's `canvases` document). */
export interface MaterializedCanvas {
  readonly version: number
  readonly canvas: CanvasJSON
  readonly updatedAt: Date
}

export interface VersionPruneResult {
  /** Version numbers deleted (or that would be, on a dry run), ascending. */
  readonly deleted: readonly number[]
  /** Versions older than the cutoff that were kept because a kept version is rebuilt from them, or is the newest. */
  readonly keptOlder: readonly number[]
}

export interface VersionStore {
  /** Stores a version and advances the materialized canvas, atomically; `conflict` when the number is taken. */
  append(version: NewVersion): Promise<AppendVersionResult>
  latest(canvasId: string): Promise<VersionInfo | null>
  get(canvasId: string, version: number): Promise<VersionInfo | null>
  /** Versions with number < `before` (null: from the newest), newest first, at most `limit`. */
  list(
    canvasId: string,
    options: { readonly before: number | null; readonly limit: number },
  ): Promise<VersionPage>
  /** Versions from..to (inclusive) with their data, ascending; missing numbers are simply absent. */
  readRange(canvasId: string, from: number, to: number): Promise<VersionData[]>
  /** The keyframe and deltas that rebuild `version`, ascending; null when it or part of its chain is missing. */
  readChain(canvasId: string, version: number): Promise<VersionData[] | null>
  materialized(canvasId: string): Promise<MaterializedCanvas | null>
  /**
   * Retention: deletes the versions created before `cutoff`, except the newest version and every version a kept
   * version is rebuilt from (its keyframe and the deltas after it). Nothing is deleted when `dryRun`.
   */
  prune(canvasId: string, cutoff: Date, options: { readonly dryRun: boolean }): Promise<VersionPruneResult>
  /** Canvas ids (ascending, > `after`) having a version created before `cutoff`; at most `limit`. */
  canvasesWithVersionsBefore(
    cutoff: Date,
    options: { readonly after: string | null; readonly limit: number },
  ): Promise<string[]>
  /** Removes every version and the materialized canvas (retention purge); returns the number of versions. */
  deleteCanvas(canvasId: string): Promise<number>
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------------------------
// Templates: reusable sets of blocks, private to an organization or public to every organization.
// ---------------------------------------------------------------------------------------------------------------

export interface TemplateBlock {
  readonly id: string
  readonly type: BlockType
  readonly position: BlockPosition
  readonly content: JsonObject
}

export interface NewTemplate {
  /** Owning organization; null for system templates (which must be public). */
  readonly organizationId: string | null
  readonly name: string
  readonly description: string | null
  readonly category: string | null
  readonly thumbnailUrl: string | null
  readonly isPublic: boolean
  readonly blocks: readonly TemplateBlock[]
  readonly requiredFields: readonly string[]
  /** User id; null for system templates. */
  readonly createdBy: string | null
}

export interface Template extends NewTemplate {
  readonly id: string
  readonly usageCount: number
  readonly createdAt: Date
}

/** Position in a (created_at, id) ordered listing. */
export interface PageCursor {
  readonly createdAt: Date
  readonly id: string
}

export interface TemplateStore {
  create(template: NewTemplate): Promise<Template>
  /** The template when `organizationId` may see it (its own or a public one), else null. */
  get(organizationId: string, templateId: string): Promise<Template | null>
  /** Templates the organization may see, newest first, optionally of one category. */
  list(
    organizationId: string,
    options: { readonly category: string | null; readonly after: PageCursor | null; readonly limit: number },
  ): Promise<{ readonly templates: readonly Template[]; readonly next: PageCursor | null }>
  /** Counts one canvas created from the template. */
  recordUse(templateId: string): Promise<void>
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------------------------
// Comments on a canvas, optionally anchored to a block. Deleting is soft (retention purges later).
// ---------------------------------------------------------------------------------------------------------------

export interface NewComment {
  readonly canvasId: string
  readonly authorId: string
  readonly body: string
  readonly blockId: string | null
}

export interface CanvasComment extends NewComment {
  readonly id: string
  readonly resolvedAt: Date | null
  readonly resolvedBy: string | null
  readonly createdAt: Date
}

export interface CommentStore {
  create(comment: NewComment): Promise<CanvasComment>
  /** A live (not deleted) comment of that canvas, else null. */
  get(canvasId: string, commentId: string): Promise<CanvasComment | null>
  /** Live comments, oldest first. */
  list(
    canvasId: string,
    options: {
      readonly blockId: string | null
      readonly includeResolved: boolean
      readonly after: PageCursor | null
      readonly limit: number
    },
  ): Promise<{ readonly comments: readonly CanvasComment[]; readonly next: PageCursor | null }>
  /** Marks resolved (the first resolution is kept); null when there is no such live comment. */
  resolve(canvasId: string, commentId: string, userId: string): Promise<CanvasComment | null>
  /** Soft delete; false when there is no such live comment. */
  delete(canvasId: string, commentId: string): Promise<boolean>
  /** Live comments of the canvas (resolved ones included). */
  count(canvasId: string): Promise<number>
  /** Retention: hard-deletes comments soft-deleted before `cutoff`; returns how many (would be, on a dry run). */
  purgeDeleted(cutoff: Date, options: { readonly dryRun: boolean }): Promise<number>
  /** Hard-deletes every comment of the canvas (retention purge of the canvas); returns how many. */
  deleteCanvas(canvasId: string): Promise<number>
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
      /** Who made the update (absent or null: unknown or the server), so other instances credit it in versions. */
      readonly authorId?: string | null
    }
  | {
      readonly kind: 'awareness'
      readonly canvasId: string
      readonly origin: string
      readonly payload: Uint8Array
    }
  /** Block leases of a canvas changed: instances refresh their lock cache and tell their clients. */
  | { readonly kind: 'locks'; readonly canvasId: string; readonly origin: string }
  /**
   * Access changed for a user or canvas: open sockets must re-check (live revocation). Always travels on the global
   * channel, canvas or not (busChannelOf), so every instance hears every change.
   */
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
  /** Messages for one canvas (`canvasId`) or the global channel (`null`: every access change). */
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
