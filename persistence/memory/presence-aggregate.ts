import type { PresenceEntry } from '../ports.ts'

/** One connection's presence as both presence adapters store it. Times are epoch milliseconds. */
export interface ConnectionPresence {
  readonly userId: string
  readonly displayName: string
  readonly cursor: unknown
  readonly selection: unknown
  readonly lastSeen: number
  readonly expiresAt: number
}

/**
 * Folds live connections into one entry per user: `connections` counts them, and the most recently seen
 * connection provides name, cursor and selection. Sorted by userId so every adapter lists in the same order.
 */
export function aggregatePresence(connections: Iterable<ConnectionPresence>): PresenceEntry[] {
  const byUser = new Map<string, { latest: ConnectionPresence; count: number }>()
  for (const connection of connections) {
    const seen = byUser.get(connection.userId)
    if (seen === undefined) {
      byUser.set(connection.userId, { latest: connection, count: 1 })
    } else {
      seen.count += 1
      if (connection.lastSeen > seen.latest.lastSeen) seen.latest = connection
    }
  }
  return [...byUser.values()]
    .map(({ latest, count }) => ({
      userId: latest.userId,
      displayName: latest.displayName,
      connections: count,
      cursor: latest.cursor,
      selection: latest.selection,
      lastSeen: new Date(latest.lastSeen),
    }))
    .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0))
}

/**
 * Cursor and selection go through JSON in every adapter (Redis must serialise them), so the in-process store does
 * too: the same values survive, and a caller mutating its object afterwards cannot change stored presence.
 */
export function jsonCopy(value: unknown): unknown {
  const text = JSON.stringify(value)
  return text === undefined ? undefined : (JSON.parse(text) as unknown)
}
