import type { Principal } from '../../server/rooms/principal.ts'

/** A signed-in user for unit tests of connections and access: an hour-long session unless told otherwise. */
export function testPrincipal(fields: Partial<Principal> = {}): Principal {
  return {
    userId: 'u',
    organizationId: 'o',
    displayName: 'U',
    sessionHash: 'h',
    sessionExpiresAt: new Date(Date.now() + 3600_000),
    ...fields,
  }
}
