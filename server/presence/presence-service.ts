import type { PresenceEntry, PresenceStore } from '../../persistence/ports.ts'
import type { Logger } from '../logger.ts'
import type { Connection } from '../rooms/connection.ts'

export interface PresenceOptions {
  /** How long an entry survives without a refresh (a dead instance's users vanish after this). */
  readonly ttlMs: number
  /** Cursor moves are mirrored at most this often per connection (the live cursors travel by awareness). */
  readonly writeIntervalMs: number
}

interface Tracked {
  readonly canvasId: string
  readonly connection: Connection
  cursor: unknown
  selection: unknown
  lastWrite: number
  dirty: boolean
}

/** Called when a user has no connection left on a canvas, on any instance. */
export type UserLeftListener = (canvasId: string, userId: string) => void

/**
 * Mirrors who is on which canvas into the PresenceStore (Redis `canvas:presence:{canvasId}` when REDIS_URL is set),
 * for the REST presence API. Writes are throttled per connection and refreshed on a timer, so the TTL rolls while a
 * user is connected and runs out when the instance holding the connection dies.
 */
export class PresenceService {
  private readonly tracked = new Map<string, Tracked>()
  private readonly timer: NodeJS.Timeout
  private readonly userLeftListeners: UserLeftListener[] = []

  constructor(
    private readonly store: PresenceStore,
    private readonly options: PresenceOptions,
    private readonly log: Logger,
  ) {
    const tick = Math.max(50, Math.min(options.writeIntervalMs, Math.floor(options.ttlMs / 3)))
    this.timer = setInterval(() => this.flush(), tick)
    this.timer.unref()
  }

  onUserLeft(listener: UserLeftListener): void {
    this.userLeftListeners.push(listener)
  }

  /** A connection joined or changed its awareness state. */
  connectionSeen(
    canvasId: string,
    connection: Connection,
    state: { cursor?: unknown; selection?: unknown },
  ): void {
    const existing = this.tracked.get(connection.id)
    if (existing === undefined) {
      const entry: Tracked = {
        canvasId,
        connection,
        cursor: state.cursor ?? null,
        selection: state.selection ?? null,
        lastWrite: 0,
        dirty: true,
      }
      this.tracked.set(connection.id, entry)
      this.write(entry)
      return
    }
    existing.cursor = state.cursor ?? null
    existing.selection = state.selection ?? null
    existing.dirty = true
    if (Date.now() - existing.lastWrite >= this.options.writeIntervalMs) this.write(existing)
  }

  /** A connection closed: its entry is removed; listeners hear when its user has no connection left anywhere. */
  async connectionGone(canvasId: string, connection: Connection): Promise<void> {
    this.tracked.delete(connection.id)
    await this.store.remove(canvasId, connection.id)
    const userId = connection.principal.userId
    const stillHere = (await this.store.list(canvasId)).some((entry) => entry.userId === userId)
    if (stillHere) return
    for (const listener of this.userLeftListeners) listener(canvasId, userId)
  }

  list(canvasId: string): Promise<PresenceEntry[]> {
    return this.store.list(canvasId)
  }

  countByCanvas(canvasIds: readonly string[]): Promise<Map<string, number>> {
    return this.store.countByCanvas(canvasIds)
  }

  /** Writes dirty entries whose throttle passed, and refreshes every entry before its TTL runs out. */
  private flush(): void {
    const now = Date.now()
    for (const entry of this.tracked.values()) {
      const due = entry.dirty && now - entry.lastWrite >= this.options.writeIntervalMs
      const refresh = now - entry.lastWrite >= this.options.ttlMs / 3
      if (due || refresh) this.write(entry)
    }
  }

  private write(entry: Tracked): void {
    entry.lastWrite = Date.now()
    entry.dirty = false
    const { connection } = entry
    this.store
      .upsert(
        entry.canvasId,
        connection.id,
        {
          userId: connection.principal.userId,
          displayName: connection.principal.displayName,
          cursor: entry.cursor,
          selection: entry.selection,
        },
        this.options.ttlMs,
      )
      .catch((error: unknown) => {
        entry.dirty = true
        this.log.warn(
          { err: error, canvasId: entry.canvasId },
          'presence write failed; retrying on the next tick',
        )
      })
  }

  close(): void {
    clearInterval(this.timer)
  }
}
