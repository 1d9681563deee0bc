import { type AdapterLogger, consoleLogger } from '../memory/log.ts'
import type { Session, SessionStore } from '../ports.ts'
import { type RedisAdapterOptions, RedisHandle } from './connection.ts'
import { RedisAdapterError, redisCall } from './errors.ts'
import { type RedisKeys, redisKeys } from './keys.ts'

/**
 * Sessions as `session:<tokenHash>` strings (JSON, expiring at the session's expiresAt) plus a set of token
 * hashes per user, `user_sessions:{<userId>}`, for revokeAllForUser. The set expires with the user's
 * longest-lived session.
 *
 * The two keys live in different cluster slots, so no transaction spans them. create() writes the session first
 * and then indexes it: a revokeAllForUser racing with it may miss that one session (as if it ran first), but the
 * session is always indexed afterwards, so a later revocation finds it. If indexing fails the session is deleted.
 */
export class RedisSessionStore implements SessionStore {
  private readonly handle: RedisHandle
  private readonly keys: RedisKeys
  private readonly logger: AdapterLogger

  constructor(options: RedisAdapterOptions) {
    this.logger = options.logger ?? consoleLogger
    this.handle = RedisHandle.open(options.redis, 'jabiru-sessions', this.logger)
    this.keys = redisKeys(options.prefix)
  }

  async create(session: Session): Promise<void> {
    const expiresAtMs = session.expiresAt.getTime()
    // Already expired: it could never be read back, so there is nothing to store.
    if (expiresAtMs <= Date.now()) return
    const key = this.keys.session(session.tokenHash)
    const value = JSON.stringify({
      userId: session.userId,
      organizationId: session.organizationId,
      createdAt: session.createdAt.getTime(),
      expiresAt: expiresAtMs,
    })
    await redisCall('session create', () => this.handle.client.set(key, value, 'PXAT', expiresAtMs))
    const userKey = this.keys.userSessions(session.userId)
    try {
      await redisCall('session index', async () => {
        const results = await this.handle.client
          .multi()
          .sadd(userKey, session.tokenHash)
          // A fresh set has no TTL, which GT treats as infinite: NX sets the first one, GT only ever lengthens it.
          .pexpireat(userKey, expiresAtMs, 'NX')
          .pexpireat(userKey, expiresAtMs, 'GT')
          .exec()
        const failed = results?.find(([error]) => error !== null)
        if (results === null || failed !== undefined) throw failed?.[0] ?? new Error('transaction aborted')
      })
    } catch (error) {
      await redisCall('session create rollback', () => this.handle.client.del(key))
      throw error
    }
  }

  async get(tokenHash: string): Promise<Session | null> {
    const key = this.keys.session(tokenHash)
    const raw = await redisCall('session get', () => this.handle.client.get(key))
    if (raw === null) return null
    const session = parseSession(tokenHash, raw)
    if (session === null) {
      throw new RedisAdapterError('session get', new Error(`malformed session value at ${key}`))
    }
    // Redis expires the key itself; this guards the millisecond in which it may still be readable.
    return session.expiresAt.getTime() > Date.now() ? session : null
  }

  async revoke(tokenHash: string): Promise<void> {
    const key = this.keys.session(tokenHash)
    const raw = await redisCall('session revoke', () => this.handle.client.getdel(key))
    if (raw === null) return
    const session = parseSession(tokenHash, raw)
    if (session === null) {
      // The key is already gone; only its index entry is left, and that set expires on its own.
      this.logger.warn({ key }, 'revoked a malformed session value; its user index entry is left to expire')
      return
    }
    await redisCall('session revoke', () =>
      this.handle.client.srem(this.keys.userSessions(session.userId), tokenHash),
    )
  }

  async revokeAllForUser(userId: string): Promise<number> {
    const userKey = this.keys.userSessions(userId)
    const hashes = await redisCall('session revoke all', () => this.handle.client.smembers(userKey))
    if (hashes.length === 0) return 0
    // One DEL per key: session keys sit in different cluster slots.
    const deleted = await redisCall('session revoke all', () =>
      Promise.all(hashes.map((hash) => this.handle.client.del(this.keys.session(hash)))),
    )
    // Only the processed members are removed: a session indexed meanwhile stays for the next revocation.
    await redisCall('session revoke all', () => this.handle.client.srem(userKey, ...hashes))
    return deleted.reduce((sum, n) => sum + n, 0)
  }

  async close(): Promise<void> {
    await this.handle.close()
  }
}

/** The stored session, or null when the value is not one (reported by the caller). */
function parseSession(tokenHash: string, raw: string): Session | null {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    // Not JSON: the caller reports it with the key it read.
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const { userId, organizationId, createdAt, expiresAt } = value as Record<string, unknown>
  if (typeof userId !== 'string' || typeof organizationId !== 'string') return null
  if (typeof createdAt !== 'number' || typeof expiresAt !== 'number') return null
  return { tokenHash, userId, organizationId, createdAt: new Date(createdAt), expiresAt: new Date(expiresAt) }
}
