import type { ProjectRole, User } from '../../schema/database.ts'
import type { AccessChange } from '../rooms/extensions.ts'
import type { Principal } from '../rooms/principal.ts'
import { ExpiringLru } from './expiring-lru.ts'

/**
 * How long an authorization result may be reused, counted from when its reads STARTED. It bounds how stale an
 * answer can be when an invalidation is lost (bus outage, failed publish): a few seconds, like the revocation
 * deadline for open sockets, while a connection storm by the same users still reads each result once.
 */
export const AUTHORIZATION_CACHE_TTL_MS = 5_000
/** Entries per kind (identities, canvas access); least recently used ones go first. */
export const AUTHORIZATION_CACHE_MAX_ENTRIES = 10_000

/** Who a session token belongs to; only what the upgrade needs (no password hash kept in memory). */
export interface CachedIdentity {
  readonly principal: Principal
  readonly user: Pick<User, 'id' | 'role' | 'organization_id'>
}

export interface CachedCanvasAccess {
  /** The canvas's id as stored (the one rooms and bus messages use). */
  readonly canvasId: string
  readonly role: ProjectRole
}

/** A result and the monotonic time (performance.now) at which the reads behind it started. */
export interface Cached<T> {
  readonly value: T
  readonly readAt: number
}

/** Canvas access also depends on the user row it was computed from (organization role, organization). */
export interface CachedCanvasGrant extends Cached<CachedCanvasAccess> {
  /** When the reads of that user row started. */
  readonly identityReadAt: number
}

/** Taken right before a fill's reads start; the fill is kept only if nothing was invalidated meanwhile. */
export interface ReadTicket {
  readonly at: number
  readonly epoch: number
}

interface CanvasEntry extends CachedCanvasGrant {
  readonly userId: string
}

export interface AuthorizationCacheOptions {
  readonly ttlMs?: number
  readonly maxEntries?: number
  /** Monotonic clock in ms, the one connection grants use; default performance.now. */
  readonly now?: () => number
  /** Wall clock in ms, for session expiry; default Date.now. */
  readonly wallNow?: () => number
}

/**
 * Short-lived results of the WebSocket upgrade's reads: identities by session hash, canvas access by
 * (user, canvas, link token). Revocation stays immediate because every access change invalidates what it may
 * concern, and because of two rules about fills racing changes:
 *
 * - Epoch: an invalidation bumps `epoch`; a fill whose ticket predates the bump is dropped. A fill that read the
 *   old state before a change committed and finishes after the change's invalidation can therefore never
 *   resurrect the old answer. (One counter for everything: a racing fill of an unrelated user is merely not kept.)
 * - Every access change, canvas-specific or user-wide, travels on the bus's global channel (busChannelOf), which
 *   the server subscribes to before it listens (listenForAccessChanges): whatever rooms are loaded here, every
 *   change made anywhere reaches this cache.
 *
 * A change published by another instance reaches us moments later (the bus bound every instance already has for
 * open sockets); changes made here are invalidated synchronously before they are published
 * (LocallyInvalidatingAccessEvents), so this instance refuses new connections at once.
 */
export class AuthorizationCache {
  private epoch = 0
  private readonly ttlMs: number
  private readonly now: () => number
  private readonly wallNow: () => number
  private readonly identities: ExpiringLru<string, Cached<CachedIdentity>>
  private readonly canvases: ExpiringLru<string, CanvasEntry>

  constructor(options: AuthorizationCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? AUTHORIZATION_CACHE_TTL_MS
    this.now = options.now ?? (() => performance.now())
    this.wallNow = options.wallNow ?? (() => Date.now())
    const maxEntries = options.maxEntries ?? AUTHORIZATION_CACHE_MAX_ENTRIES
    this.identities = new ExpiringLru(maxEntries)
    this.canvases = new ExpiringLru(maxEntries)
  }

  /** Call right before a fill's reads start. */
  ticket(): ReadTicket {
    return { at: this.now(), epoch: this.epoch }
  }

  /** Whether nothing was invalidated since the ticket was taken. */
  isCurrent(ticket: ReadTicket): boolean {
    return ticket.epoch === this.epoch
  }

  /** A cached identity, never past its session's own expiry. */
  identity(sessionHash: string): Cached<CachedIdentity> | null {
    const entry = this.identities.get(sessionHash, this.now())
    if (entry === undefined) return null
    if (entry.value.principal.sessionExpiresAt.getTime() <= this.wallNow()) {
      this.identities.delete(sessionHash)
      return null
    }
    return entry
  }

  storeIdentity(sessionHash: string, ticket: ReadTicket, value: CachedIdentity): void {
    if (!this.isCurrent(ticket)) return
    if (value.principal.sessionExpiresAt.getTime() <= this.wallNow()) return
    this.identities.set(sessionHash, { value, readAt: ticket.at }, ticket.at + this.ttlMs)
  }

  canvasAccess(
    userId: string,
    requestedCanvasId: string,
    linkToken: string | null,
  ): CachedCanvasGrant | null {
    return this.canvases.get(canvasKey(userId, requestedCanvasId, linkToken), this.now()) ?? null
  }

  /** Kept only if nothing was invalidated since `ticket`. */
  storeCanvasAccess(
    userId: string,
    requestedCanvasId: string,
    linkToken: string | null,
    ticket: ReadTicket,
    grant: { readonly value: CachedCanvasAccess; readonly identityReadAt: number },
  ): void {
    if (!this.isCurrent(ticket)) return
    const entry: CanvasEntry = { ...grant, readAt: ticket.at, userId }
    // Expires with the older of its two reads.
    const expiresAt = Math.min(ticket.at, grant.identityReadAt) + this.ttlMs
    this.canvases.set(canvasKey(userId, requestedCanvasId, linkToken), entry, expiresAt)
  }

  /** Drops whatever the change may concern: a canvas (optionally one user on it), a user, or everything. */
  invalidate(change: AccessChange): void {
    this.epoch++
    const { canvasId, userId } = change
    if (canvasId !== null) {
      // Sharing, grants, deletion, archiving: canvas access only; identities do not depend on a canvas.
      this.canvases.deleteWhere(
        (entry) => entry.value.canvasId === canvasId && (userId === null || entry.userId === userId),
      )
    } else if (userId !== null) {
      // Session, deactivation, membership, organization role: the user's identities and canvas access.
      this.identities.deleteWhere((entry) => entry.value.principal.userId === userId)
      this.canvases.deleteWhere((entry) => entry.userId === userId)
    } else {
      this.clear()
    }
  }

  /** Drops everything, e.g. after the bus reconnected (invalidations may have been lost meanwhile). */
  clear(): void {
    this.epoch++
    this.identities.clear()
    this.canvases.clear()
  }

  get size(): { readonly identities: number; readonly canvases: number } {
    return { identities: this.identities.size, canvases: this.canvases.size }
  }
}

/** User ids (UUIDs) and link tokens (43 base64url characters, or '-') hold no space: the rest is the canvas id. */
export function canvasKey(userId: string, canvasId: string, linkToken: string | null): string {
  return `${userId} ${linkToken ?? '-'} ${canvasId}`
}
