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

/**
 * How many parts a heartbeat period is cut into: one part of the connections is swept per tick (every 100 ms with
 * the default 30 s period). With 30 parts, S4's 4,000 connections meant 133 pings in one go every second, a 7-10 ms
 * stall each time (stall detector in the S4 run); with 300, about 13 per tick.
 */
export const HEARTBEAT_SLICES = 300

/**
 * The open connections, in slices swept one per tick, so each connection is still visited once per heartbeat period
 * but never all at once. A sweep writes a ping to every socket it visits (a system call each): 4,000 connections
 * swept together held the event loop for tens of milliseconds every period, a stall the peers do not have (they
 * time each connection's pings from its own start). New connections go to the slice with the fewest.
 */
export class HeartbeatSchedule {
  private readonly slices: Set<Connection>[]
  /** Each connection's slice: membership and removal without looking through every slice. */
  private readonly sliceOf = new Map<Connection, Set<Connection>>()
  private next = 0

  constructor(slices = HEARTBEAT_SLICES) {
    if (!Number.isInteger(slices) || slices < 1)
      throw new RangeError(`slices must be a positive integer: ${slices}`)
    this.slices = Array.from({ length: slices }, () => new Set<Connection>())
  }

  /** How often to call `tick` so every connection is swept once per `periodMs`. */
  static tickMs(periodMs: number, slices = HEARTBEAT_SLICES): number {
    return Math.max(1, Math.floor(periodMs / slices))
  }

  // A map entry per connection (tens of bytes): looking for a connection in 300 slices on every connect was 1.6 %
  // of a connect storm's event loop (S1 profile). Finding the smallest slice reads 300 sizes, well under a
  // microsecond.
  add(connection: Connection): void {
    if (this.sliceOf.has(connection)) return
    let smallest = this.slices[0] as Set<Connection>
    for (const slice of this.slices) if (slice.size < smallest.size) smallest = slice
    smallest.add(connection)
    this.sliceOf.set(connection, smallest)
  }

  delete(connection: Connection): void {
    this.sliceOf.get(connection)?.delete(connection)
    this.sliceOf.delete(connection)
  }

  get size(): number {
    return this.sliceOf.size
  }

  /** Sweeps the next slice. */
  tick(now: number): void {
    const slice = this.slices[this.next] as Set<Connection>
    this.next = (this.next + 1) % this.slices.length
    heartbeatSweep(slice, now)
  }
}
