import type { Bus, Subscription } from '../../persistence/ports.ts'
import { CloseCode } from '../../shared/close-codes.ts'
import type { Logger } from '../logger.ts'
import type { Connection } from '../rooms/connection.ts'
import type { AccessChange, RoomExtension, RoomView } from '../rooms/extensions.ts'
import { noticeFrame } from '../rooms/outbound.ts'
import type { AccessVerdict } from './access-check.ts'
import { connectionGrant } from './connection-grant.ts'
import { RecentAccessChanges } from './recent-changes.ts'

/** Re-derives a connection's access (AccessChecker; a fake in unit tests). */
export interface ConnectionAccessCheck {
  check(
    principal: Connection['principal'],
    canvasId: string,
    linkToken: string | null,
  ): Promise<AccessVerdict>
}

export interface RevocationDeps {
  readonly checker: ConnectionAccessCheck
  readonly log: Logger
  /** Monotonic clock in ms; default performance.now. */
  readonly now?: () => number
}

/**
 * Live revocation. When access changes anywhere (an `access` bus message, routed to rooms by the registry), the
 * affected connections of every loaded room re-check their access from the stores and are closed (4401 session
 * ended, 4403 access revoked, 4404 canvas deleted) or switched between editing and read-only (with a `read-only`
 * notice on a downgrade, an `editable` one on an upgrade).
 *
 * Invariants:
 * - checks of one connection may overlap; only the answer of the latest check started is applied (a generation
 *   counter per connection), because an older check may have read an older state;
 * - a check that fails (store error) closes the connection with 1011 (fail closed): it reconnects and is
 *   authorized afresh at the upgrade;
 * - a connection joining a room is re-checked when a change concerning its user or canvas was seen since its oldest
 *   read started (`authorizedAt`; RecentAccessChanges). Every access change travels on the global channel
 *   (busChannelOf), which `start` subscribed to before the server took connections, so each one is seen here
 *   whatever rooms are loaded: a change that arrives before the join is in RecentAccessChanges, one that arrives
 *   after it is routed to the room by the registry and re-checks the connection there. A room's age plays no part.
 */
export class AccessRevocationExtension implements RoomExtension {
  readonly name = 'access-revocation'
  private readonly now: () => number
  private readonly generations = new WeakMap<Connection, number>()
  private readonly recent: RecentAccessChanges
  private subscription: Subscription | null = null
  private readonly inFlightChecks = new Map<
    string,
    { readonly startedAt: number; readonly verdict: Promise<AccessVerdict> }
  >()

  constructor(private readonly deps: RevocationDeps) {
    this.now = deps.now ?? (() => performance.now())
    this.recent = new RecentAccessChanges(this.now)
  }

  /**
   * Listens on the global channel (every access change) only to remember changes: the registry routes them to
   * live rooms, but a connection between its authorization and its join is in no room yet.
   */
  async start(bus: Bus): Promise<void> {
    this.subscription = await bus.subscribe(null, (message) => {
      if (message.kind === 'access')
        this.recent.record({ canvasId: message.canvasId, userId: message.userId })
    })
  }

  async close(): Promise<void> {
    const subscription = this.subscription
    this.subscription = null
    await subscription?.unsubscribe()
  }

  connectionAdded(room: RoomView, connection: Connection): void {
    const authorizedAt = connectionGrant(connection)?.authorizedAt ?? Number.NEGATIVE_INFINITY
    if (this.recent.changedSince(room.canvasId, connection.principal.userId, authorizedAt)) {
      this.recheck(room, connection)
    }
  }

  accessChanged(room: RoomView, change: AccessChange): void {
    this.recent.record(change)
    for (const connection of room.connections) {
      if (change.userId === null || connection.principal.userId === change.userId)
        this.recheck(room, connection)
    }
  }

  private recheck(room: RoomView, connection: Connection): void {
    if (!connection.isOpen) return
    const generation = (this.generations.get(connection) ?? 0) + 1
    this.generations.set(connection, generation)
    const current = () => this.generations.get(connection) === generation && connection.isOpen
    const linkToken = connectionGrant(connection)?.linkToken ?? null
    this.sharedCheck(connection.principal, room.canvasId, linkToken).then(
      (verdict) => {
        if (current()) this.apply(room, connection, verdict)
      },
      (error: unknown) => {
        this.deps.log.error(
          { err: error, canvasId: room.canvasId, connectionId: connection.id },
          'access re-check failed; closing the connection so it is authorized afresh',
        )
        if (current()) connection.close(CloseCode.InternalError, 'could not re-check access; reconnect')
      },
    )
  }

  /**
   * Re-checks of the same session on the same canvas (with the same link) share one read while it is in flight:
   * a connection storm joins each canvas with several sockets of one user, and each would otherwise run the same
   * three queries. Sharing is safe when the read started after every change that concerns it was seen: a change
   * recorded at or after the read started (RecentAccessChanges) makes later re-checks read afresh.
   */
  private sharedCheck(
    principal: Connection['principal'],
    canvasId: string,
    linkToken: string | null,
  ): Promise<AccessVerdict> {
    const key = `${principal.sessionHash}\n${principal.userId}\n${canvasId}\n${linkToken ?? ''}`
    const inFlight = this.inFlightChecks.get(key)
    if (inFlight !== undefined && !this.recent.changedSince(canvasId, principal.userId, inFlight.startedAt)) {
      return inFlight.verdict
    }
    const startedAt = this.now()
    const verdict = this.deps.checker.check(principal, canvasId, linkToken)
    const entry = { startedAt, verdict }
    this.inFlightChecks.set(key, entry)
    const forget = () => {
      if (this.inFlightChecks.get(key) === entry) this.inFlightChecks.delete(key)
    }
    verdict.then(forget, forget)
    return verdict
  }

  private apply(room: RoomView, connection: Connection, verdict: AccessVerdict): void {
    switch (verdict.kind) {
      case 'close':
        this.deps.log.info(
          { canvasId: room.canvasId, userId: connection.principal.userId, code: verdict.code },
          'access revoked on an open connection',
        )
        connection.close(verdict.code, verdict.reason)
        return
      case 'allow': {
        const before = connection.state.kind
        connection.setAccess(verdict.access)
        const state = connection.state
        if (before === 'editing' && state.kind === 'read-only') {
          connection.send(noticeFrame({ type: 'read-only', reason: state.reason }))
        } else if (before === 'read-only' && state.kind === 'editing') {
          connection.send(noticeFrame({ type: 'editable', resyncRequired: connection.desynced }))
        }
        return
      }
      default: {
        const never: never = verdict
        throw new Error(`unknown access verdict ${JSON.stringify(never)}`)
      }
    }
  }
}
