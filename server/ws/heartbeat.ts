import { CloseCode } from '../../shared/close-codes.ts'
import type { Connection } from '../rooms/connection.ts'

/**
 * One heartbeat pass over open connections: a connection whose session expired is closed with 4401 (its token
 * would be refused now); one that did not answer the previous ping is closed with Timeout; the others are pinged.
 */
export function heartbeatSweep(connections: Iterable<Connection>, now: number): void {
  for (const connection of connections) {
    if (connection.principal.sessionExpiresAt.getTime() <= now) {
      connection.close(CloseCode.Unauthenticated, 'session expired')
    } else if (!connection.checkAlive()) {
      connection.close(CloseCode.Timeout)
    }
  }
}
