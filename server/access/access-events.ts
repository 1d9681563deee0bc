import type { Bus } from '../../persistence/ports.ts'
import type { Logger } from '../logger.ts'

/**
 * Announces access changes to every instance (this one included: the bus delivers our own messages back), so open
 * sockets re-check their access within moments (live revocation, see revocation-extension.ts).
 *
 * Publish AFTER the change committed: a receiver re-reads the database, and must see the new state.
 * A failed publish is logged as an error and not retried: the change itself is committed and every new connection
 * sees it (other instances may answer from their authorization cache until its entries expire, at most
 * AUTHORIZATION_CACHE_TTL_MS); only already open sockets keep their old access until they reconnect.
 */
export interface AccessChangePublisher {
  /** Sharing, deletion or a grant of one canvas changed: its sockets re-check (optionally only one user's). */
  canvasChanged(canvasId: string, userId?: string | null): Promise<void>
  /** Something of one user changed everywhere (membership, session, deactivation): their sockets re-check. */
  userChanged(userId: string): Promise<void>
}

export class BusAccessEvents implements AccessChangePublisher {
  constructor(
    private readonly bus: Bus,
    private readonly log: Logger,
  ) {}

  canvasChanged(canvasId: string, userId: string | null = null): Promise<void> {
    return this.publish(canvasId, userId)
  }

  userChanged(userId: string): Promise<void> {
    // Every instance routes a change with no canvas to all of its rooms (all access changes use the global channel).
    return this.publish(null, userId)
  }

  private async publish(canvasId: string | null, userId: string | null): Promise<void> {
    try {
      await this.bus.publish({ kind: 'access', canvasId, userId, origin: this.bus.instanceId })
    } catch (error) {
      this.log.error(
        { err: error, canvasId, userId },
        'access change not announced; open sockets keep their access until they reconnect',
      )
    }
  }
}
