import type { CanvasAccess } from '../../persistence/sql/metadata-store.ts'
import type { User } from '../../schema/database.ts'
import type { Authenticated } from '../auth/authenticator.ts'
import { hashToken, looksLikeToken } from '../auth/tokens.ts'
import {
  type AuthorizationCache,
  type Cached,
  type CachedCanvasAccess,
  type CachedCanvasGrant,
  type CachedIdentity,
  canvasKey,
} from './authorization-cache.ts'
import { SharedReads } from './shared-reads.ts'

/** Session and user reads (the Authenticator; a fake in tests). */
export interface IdentityReads {
  authenticate(token: string): Promise<Authenticated | null>
}

/** The canvas access read (the MetadataStore; a fake in tests). */
export interface CanvasAccessReads {
  canvasAccess(
    user: Pick<User, 'id' | 'role' | 'organization_id'>,
    canvasId: string,
    options: { readonly linkToken: string | null },
  ): Promise<CanvasAccess | null>
}

/** A granted upgrade and when the reads it rests on started (monotonic, performance.now). */
export interface ConnectAuthorization {
  readonly identity: CachedIdentity
  readonly access: CachedCanvasAccess
  /**
   * When the OLDEST read behind this answer started: a change committed after it may be missing from the answer.
   * With a cached result this is the time the cached reads started, not now; the revocation extension compares
   * it with the changes it saw (RecentAccessChanges) and re-checks the connection on join if one may have raced.
   */
  readonly authorizedAt: number
}

/**
 * Authorization of WebSocket upgrades through the AuthorizationCache: identity by session, then canvas access;
 * on a miss, concurrent upgrades needing the same read share it (SharedReads).
 * Refusals are not cached (a refused token costs the same reads as before, and a later grant would make them
 * stale): only positive answers are kept, and every change that can take access away invalidates them.
 */
export class ConnectAuthorizer {
  private readonly identityReads: SharedReads<Cached<CachedIdentity> | null>
  private readonly canvasReads: SharedReads<CachedCanvasGrant | null>

  constructor(
    private readonly deps: {
      readonly identities: IdentityReads
      readonly canvases: CanvasAccessReads
      readonly cache: AuthorizationCache
    },
  ) {
    this.identityReads = new SharedReads(deps.cache)
    this.canvasReads = new SharedReads(deps.cache)
  }

  /** The identity behind a token, or null for a missing, malformed, unknown, expired or revoked one. */
  async identify(token: string | null | undefined): Promise<Cached<CachedIdentity> | null> {
    if (token === null || token === undefined || !looksLikeToken(token)) return null
    const sessionHash = hashToken(token)
    const hit = this.deps.cache.identity(sessionHash)
    if (hit !== null) return hit
    return this.identityReads.run(sessionHash, async (ticket) => {
      const authenticated = await this.deps.identities.authenticate(token)
      if (authenticated === null) return null
      const { id, role, organization_id } = authenticated.user
      const value: CachedIdentity = {
        principal: authenticated.principal,
        user: { id, role, organization_id },
      }
      this.deps.cache.storeIdentity(sessionHash, ticket, value)
      return { value, readAt: ticket.at }
    })
  }

  /** Canvas access for an identified user, or null for no access (and unknown canvases). */
  async canvasAccess(
    identity: Cached<CachedIdentity>,
    canvasId: string,
    linkToken: string | null,
  ): Promise<CachedCanvasGrant | null> {
    const userId = identity.value.user.id
    const hit = this.deps.cache.canvasAccess(userId, canvasId, linkToken)
    if (hit !== null) return hit
    // A joiner of a shared read gets the initiator's identityReadAt; authorize() takes the minimum with its own.
    return this.canvasReads.run(canvasKey(userId, canvasId, linkToken), async (ticket) => {
      const access = await this.deps.canvases.canvasAccess(identity.value.user, canvasId, { linkToken })
      if (access === null) return null
      const grant = {
        value: { canvasId: access.canvas.id, role: access.role },
        identityReadAt: identity.readAt,
      }
      this.deps.cache.storeCanvasAccess(userId, canvasId, linkToken, ticket, grant)
      return { ...grant, readAt: ticket.at }
    })
  }

  /** Both steps; `kind` says which one refused. */
  async authorize(
    token: string | null | undefined,
    canvasId: string,
    linkToken: string | null,
  ): Promise<
    | { readonly kind: 'unauthenticated' }
    | { readonly kind: 'no-access' }
    | ({ readonly kind: 'granted' } & ConnectAuthorization)
  > {
    const identity = await this.identify(token)
    if (identity === null) return { kind: 'unauthenticated' }
    const grant = await this.canvasAccess(identity, canvasId, linkToken)
    if (grant === null) return { kind: 'no-access' }
    return {
      kind: 'granted',
      identity: identity.value,
      access: grant.value,
      authorizedAt: Math.min(identity.readAt, grant.readAt, grant.identityReadAt),
    }
  }
}
