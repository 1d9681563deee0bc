import { type AdapterLogger, consoleLogger } from '../memory/log.ts'
import { aggregatePresence, type ConnectionPresence } from '../memory/presence-aggregate.ts'
import { assertPositiveInteger } from '../memory/validate.ts'
import type { PresenceEntry, PresenceStore } from '../ports.ts'
import { type RedisAdapterOptions, RedisHandle } from './connection.ts'
import { redisCall } from './errors.ts'
import { type RedisKeys, redisKeys } from './keys.ts'
import { LuaScript } from './lua-script.ts'

/** Sets one connection and lengthens (never shortens) the hash's TTL, so it outlives its longest-lived entry. */
const UPSERT = new LuaScript(
  'presence upsert',
  `redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local ttl = tonumber(ARGV[3])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`,
)

/**
 * Deletes fields only if they still hold the value the reader judged expired: a connection that refreshed in the
 * meantime keeps its new value.
 */
const DELETE_IF_UNCHANGED = new LuaScript(
  'presence cleanup',
  `local removed = 0
for i = 1, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    redis.call('HDEL', KEYS[1], ARGV[i])
    removed = removed + 1
  end
end
return removed`,
)

/**
 * Presence in a hash per canvas, `canvas:presence:{<canvasId>}`: field = connection id, value = JSON with user,
 * cursor, selection, lastSeen and expiresAt (epoch ms). The key TTL only bounds the whole hash; each entry's own
 * expiresAt is what `list` honours, so a dead instance's connections vanish after their TTL even while other
 * instances keep the hash alive. Expired entries are deleted lazily by readers.
 *
 * Times come from the writing instance's clock and are compared with the reader's: clock skew between instances
 * shifts expiry by that skew, which presence TTLs (minutes) tolerate.
 */
export class RedisPresenceStore implements PresenceStore {
  private readonly handle: RedisHandle
  private readonly keys: RedisKeys
  private readonly logger: AdapterLogger

  constructor(options: RedisAdapterOptions) {
    this.logger = options.logger ?? consoleLogger
    this.handle = RedisHandle.open(options.redis, 'jabiru-presence', this.logger)
    this.keys = redisKeys(options.prefix)
  }

  async upsert(
    canvasId: string,
    connectionId: string,
    entry: { userId: string; displayName: string; cursor: unknown; selection: unknown },
    ttlMs: number,
  ): Promise<void> {
    assertPositiveInteger('ttlMs', ttlMs)
    const now = Date.now()
    const value = JSON.stringify({
      userId: entry.userId,
      displayName: entry.displayName,
      cursor: entry.cursor,
      selection: entry.selection,
      lastSeen: now,
      expiresAt: now + ttlMs,
    })
    await UPSERT.run(this.handle.client, [this.keys.presence(canvasId)], [connectionId, value, ttlMs])
  }

  async remove(canvasId: string, connectionId: string): Promise<void> {
    const key = this.keys.presence(canvasId)
    await redisCall('presence remove', () => this.handle.client.hdel(key, connectionId))
  }

  async list(canvasId: string): Promise<PresenceEntry[]> {
    return aggregatePresence(await this.live(canvasId))
  }

  async countByCanvas(canvasIds: readonly string[]): Promise<Map<string, number>> {
    const counts = await Promise.all(
      canvasIds.map(async (canvasId) => {
        const live = await this.live(canvasId)
        return [canvasId, new Set(live.map((c) => c.userId)).size] as const
      }),
    )
    return new Map(counts)
  }

  async close(): Promise<void> {
    await this.handle.close()
  }

  /** Unexpired connections of a canvas; expired and unreadable ones are deleted on the way. */
  private async live(canvasId: string): Promise<ConnectionPresence[]> {
    const key = this.keys.presence(canvasId)
    const fields = await redisCall('presence list', () => this.handle.client.hgetall(key))
    const now = Date.now()
    const live: ConnectionPresence[] = []
    const stale: string[] = []
    for (const [connectionId, raw] of Object.entries(fields)) {
      const connection = parseConnection(raw)
      if (connection === null) {
        this.logger.warn({ key, connectionId }, 'deleting unreadable presence entry')
        stale.push(connectionId, raw)
      } else if (connection.expiresAt <= now) {
        stale.push(connectionId, raw)
      } else {
        live.push(connection)
      }
    }
    if (stale.length > 0) await DELETE_IF_UNCHANGED.run(this.handle.client, [key], stale)
    return live
  }
}

function parseConnection(raw: string): ConnectionPresence | null {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    // Unparseable JSON is reported by the caller, which logs the key and deletes the entry.
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const record = value as Record<string, unknown>
  const { userId, displayName, lastSeen, expiresAt } = record
  if (typeof userId !== 'string' || typeof displayName !== 'string') return null
  if (typeof lastSeen !== 'number' || typeof expiresAt !== 'number') return null
  return { userId, displayName, cursor: record.cursor, selection: record.selection, lastSeen, expiresAt }
}
