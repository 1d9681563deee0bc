import type { ProjectRole } from '../../schema/database.ts'

/** The authenticated user behind a connection or request. */
export interface Principal {
  readonly userId: string
  readonly organizationId: string
  readonly displayName: string
  readonly sessionHash: string
  /** When the session ends by itself; open sockets are closed (4401) once it passes. */
  readonly sessionExpiresAt: Date
}

/** What a connection may do on its canvas. */
export type Access =
  | { readonly kind: 'edit'; readonly role: ProjectRole }
  | { readonly kind: 'read'; readonly role: 'viewer' }

export function accessForRole(role: ProjectRole): Access {
  return role === 'viewer' ? { kind: 'read', role } : { kind: 'edit', role }
}
