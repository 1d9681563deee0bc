import type { Connection } from '../rooms/connection.ts'

/** What the WebSocket upgrade learned about a connection that the Connection itself does not carry. */
export interface ConnectionGrant {
  /**
   * Monotonic time (performance.now) at which the oldest read behind the grant started: a change committed after
   * it may be missing from the grant. When the upgrade used cached results this is when THEIR reads started, not
   * when the upgrade ran, so the re-check on join (revocation-extension.ts) still sees every change that raced.
   */
  readonly authorizedAt: number
  /** The public link token the client presented, if any: re-checks of its access must present it again. */
  readonly linkToken: string | null
}

/** Kept beside connections (not on them) so rooms stay unaware of how access was granted. */
const grants = new WeakMap<Connection, ConnectionGrant>()

export function recordConnectionGrant(connection: Connection, grant: ConnectionGrant): void {
  grants.set(connection, grant)
}

export function connectionGrant(connection: Connection): ConnectionGrant | undefined {
  return grants.get(connection)
}
