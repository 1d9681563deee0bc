import type { PresenceEntry, PresenceStore } from '../ports.ts'
import { aggregatePresence, type ConnectionPresence, jsonCopy } from './presence-aggregate.ts'
import { assertPositiveInteger } from './validate.ts'

export interface MemoryPresenceOptions {
  /** Clock in epoch ms (tests may inject one); default Date.now. */
  readonly now?: () => number
}

/** In-process presence. Expiry is by timestamp, checked (and expired entries dropped) when read: no timers. */
export class MemoryPresenceStore implements PresenceStore {
  private readonly canvases = new Map<string, Map<string, ConnectionPresence>>()
  private readonly now: () => number

  constructor(options: MemoryPresenceOptions = {}) {
    this.now = options.now ?? Date.now
  }

  async upsert(
    canvasId: string,
    connectionId: string,
    entry: { userId: string; displayName: string; cursor: unknown; selection: unknown },
    ttlMs: number,
  ): Promise<void> {
    assertPositiveInteger('ttlMs', ttlMs)
    let connections = this.canvases.get(canvasId)
    if (connections === undefined) {
      connections = new Map()
      this.canvases.set(canvasId, connections)
    }
    const now = this.now()
    connections.set(connectionId, {
      userId: entry.userId,
      displayName: entry.displayName,
      cursor: jsonCopy(entry.cursor),
      selection: jsonCopy(entry.selection),
      lastSeen: now,
      expiresAt: now + ttlMs,
    })
  }

  async remove(canvasId: string, connectionId: string): Promise<void> {
    const connections = this.canvases.get(canvasId)
    if (connections === undefined) return
    connections.delete(connectionId)
    if (connections.size === 0) this.canvases.delete(canvasId)
  }

  async list(canvasId: string): Promise<PresenceEntry[]> {
    return aggregatePresence(this.live(canvasId))
  }

  async countByCanvas(canvasIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>()
    for (const canvasId of canvasIds) {
      counts.set(canvasId, new Set(this.live(canvasId).map((c) => c.userId)).size)
    }
    return counts
  }

  async close(): Promise<void> {
    this.canvases.clear()
  }

  /** Unexpired connections of a canvas; expired ones are deleted on the way. */
  private live(canvasId: string): ConnectionPresence[] {
    const connections = this.canvases.get(canvasId)
    if (connections === undefined) return []
    const now = this.now()
    const live: ConnectionPresence[] = []
    for (const [connectionId, connection] of connections) {
      if (connection.expiresAt > now) live.push(connection)
      else connections.delete(connectionId)
    }
    if (connections.size === 0) this.canvases.delete(canvasId)
    return live
  }
}
