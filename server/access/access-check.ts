import type { SessionStore } from '../../persistence/ports.ts'
import { CanvasStore } from '../../persistence/sql/canvas-store.ts'
import type { MetadataStore } from '../../persistence/sql/metadata-store.ts'
import { CloseCode } from '../../shared/close-codes.ts'
import { type Access, accessForRole, type Principal } from '../rooms/principal.ts'

/** What an open connection may still do after access changed. */
export type AccessVerdict =
  | { readonly kind: 'allow'; readonly access: Access }
  | { readonly kind: 'close'; readonly code: CloseCode; readonly reason: string }

export interface AccessCheckDeps {
  readonly sessions: SessionStore
  readonly metadata: MetadataStore
}

/**
 * Re-derives a connected principal's access to a canvas from the stores, exactly as the upgrade did:
 * session gone (logout, revocation, expiry) or user deactivated -> 4401; canvas deleted -> 4404; no role any more
 * (membership, grant or sharing removed, project archived) -> 4403; otherwise the current role's access.
 */
export class AccessChecker {
  private readonly canvases: CanvasStore

  constructor(private readonly deps: AccessCheckDeps) {
    this.canvases = new CanvasStore(deps.metadata.db)
  }

  async check(principal: Principal, canvasId: string, linkToken: string | null): Promise<AccessVerdict> {
    const session = await this.deps.sessions.get(principal.sessionHash)
    if (session === null || session.userId !== principal.userId) {
      return { kind: 'close', code: CloseCode.Unauthenticated, reason: 'session ended' }
    }
    const user = await this.deps.metadata.getUser(principal.userId)
    if (user === undefined || !user.is_active || user.organization_id !== principal.organizationId) {
      return { kind: 'close', code: CloseCode.Unauthenticated, reason: 'user deactivated' }
    }
    const access = await this.deps.metadata.canvasAccess(user, canvasId, { linkToken })
    if (access !== null) return { kind: 'allow', access: accessForRole(access.role) }
    const state = await this.canvases.state(canvasId)
    switch (state) {
      case 'deleted':
      case 'missing':
        return { kind: 'close', code: CloseCode.CanvasGone, reason: 'canvas deleted' }
      case 'archived':
      case 'live':
        return { kind: 'close', code: CloseCode.Forbidden, reason: 'access revoked' }
      default: {
        const never: never = state
        throw new Error(`unknown canvas state ${String(never)}`)
      }
    }
  }
}
