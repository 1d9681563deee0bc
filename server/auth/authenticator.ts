import type { SessionStore } from '../../persistence/ports.ts'
import type { MetadataStore } from '../../persistence/sql/metadata-store.ts'
import type { User } from '../../schema/database.ts'
import type { Principal } from '../rooms/principal.ts'
import { hashToken, looksLikeToken, newSessionToken } from './tokens.ts'

export interface Authenticated {
  readonly principal: Principal
  readonly user: User
}

export function displayName(user: Pick<User, 'first_name' | 'last_name' | 'username'>): string {
  const full = [user.first_name, user.last_name].filter((part) => part !== null && part !== '').join(' ')
  return full === '' ? user.username : full
}

/** Turns bearer tokens into principals (HTTP and WebSocket share this) and issues new sessions. */
export class Authenticator {
  constructor(
    private readonly sessions: SessionStore,
    private readonly metadata: MetadataStore,
    private readonly sessionTtlMs: number,
  ) {}

  /** The principal for a token, or null for a missing, malformed, unknown, expired or revoked token. */
  async authenticate(token: string | null | undefined): Promise<Authenticated | null> {
    if (token === null || token === undefined || !looksLikeToken(token)) return null
    const sessionHash = hashToken(token)
    const session = await this.sessions.get(sessionHash)
    if (session === null) return null
    const user = await this.metadata.getUser(session.userId)
    if (user === undefined || !user.is_active || user.organization_id === null) return null
    return {
      user,
      principal: {
        userId: user.id,
        organizationId: user.organization_id,
        displayName: displayName(user),
        sessionHash,
        sessionExpiresAt: session.expiresAt,
      },
    }
  }

  /** Creates a session and returns the token; only its hash is stored. */
  async issue(user: Pick<User, 'id'> & { organization_id: string }): Promise<string> {
    const token = newSessionToken()
    const now = new Date()
    await this.sessions.create({
      tokenHash: hashToken(token),
      userId: user.id,
      organizationId: user.organization_id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.sessionTtlMs),
    })
    return token
  }

  revoke(token: string): Promise<void> {
    return this.sessions.revoke(hashToken(token))
  }

  /** Logout: ends the session behind a principal (its `sessionHash`). */
  revokeSession(sessionHash: string): Promise<void> {
    return this.sessions.revoke(sessionHash)
  }

  /** Deactivation: ends every session of the user; returns how many were live. */
  revokeAllForUser(userId: string): Promise<number> {
    return this.sessions.revokeAllForUser(userId)
  }
}
