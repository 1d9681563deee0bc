/**
 * The Redis key layout, in one place. Per-canvas keys put the canvas id in a Redis Cluster hash tag (`{...}`) so
 * all of one canvas's keys live in one slot and a Lua script may touch several of them. A prefix (tests: one per
 * suite) goes in front of every key and channel.
 */

const HASH_TAG_BRACES = /[{}]/

/** A brace inside an id or the prefix would move the hash tag and split a canvas's keys across slots. */
function assertTagSafe(what: string, value: string): void {
  if (HASH_TAG_BRACES.test(value))
    throw new RangeError(`${what} must not contain '{' or '}': ${JSON.stringify(value)}`)
}

export interface RedisKeys {
  presence(canvasId: string): string
  locks(canvasId: string): string
  lockFence(canvasId: string): string
  busCanvas(canvasId: string): string
  busGlobal(): string
  session(tokenHash: string): string
  userSessions(userId: string): string
  rateLimit(key: string): string
}

export function redisKeys(prefix = ''): RedisKeys {
  assertTagSafe('key prefix', prefix)
  const canvasKey = (kind: string) => (canvasId: string) => {
    assertTagSafe('canvas id', canvasId)
    return `${prefix}canvas:${kind}:{${canvasId}}`
  }
  return {
    presence: canvasKey('presence'),
    locks: canvasKey('locks'),
    lockFence: canvasKey('lockfence'),
    busCanvas: canvasKey('bus'),
    busGlobal: () => `${prefix}bus:global`,
    session: (tokenHash) => `${prefix}session:${tokenHash}`,
    userSessions: (userId) => {
      assertTagSafe('user id', userId)
      return `${prefix}user_sessions:{${userId}}`
    },
    rateLimit: (key) => `${prefix}rate_limit:${key}`,
  }
}
