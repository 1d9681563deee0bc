import { consoleLogger } from '../memory/log.ts'
import { assertRateArgs } from '../memory/validate.ts'
import type { RateDecision, RateLimiter } from '../ports.ts'
import { type RedisAdapterOptions, RedisHandle } from './connection.ts'
import { RedisAdapterError } from './errors.ts'
import { type RedisKeys, redisKeys } from './keys.ts'
import { LuaScript } from './lua-script.ts'

/**
 * Fixed window, atomically: the first hit creates `rate_limit:<key>` with a TTL of the window; a hit that would
 * exceed the limit is refused without counting (so refused retries do not prolong the lockout) and learns when the
 * window ends from PTTL. A counter found without TTL (should not happen) gets the window, never living forever.
 * KEYS: counter. ARGV: limit, windowMs, cost. Returns {1, remaining} or {0, retryAfterMs}.
 */
const HIT = new LuaScript(
  'rate limiter hit',
  `local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used + cost > limit then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[1], window)
    ttl = window
  end
  if ttl < 1 then ttl = 1 end
  return {0, ttl}
end
local count = redis.call('INCRBY', KEYS[1], cost)
if count == cost or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], window) end
return {1, limit - count}`,
)

export class RedisRateLimiter implements RateLimiter {
  private readonly handle: RedisHandle
  private readonly keys: RedisKeys

  constructor(options: RedisAdapterOptions) {
    this.handle = RedisHandle.open(options.redis, 'jabiru-rate-limiter', options.logger ?? consoleLogger)
    this.keys = redisKeys(options.prefix)
  }

  async hit(key: string, limit: number, windowMs: number, cost = 1): Promise<RateDecision> {
    assertRateArgs(limit, windowMs, cost)
    const reply = await HIT.run(this.handle.client, [this.keys.rateLimit(key)], [limit, windowMs, cost])
    if (!Array.isArray(reply) || reply.length !== 2) throw unexpectedReply(reply)
    const [allowed, amount] = reply as unknown[]
    if (typeof amount !== 'number') throw unexpectedReply(reply)
    return allowed === 1 ? { allowed: true, remaining: amount } : { allowed: false, retryAfterMs: amount }
  }

  async close(): Promise<void> {
    await this.handle.close()
  }
}

function unexpectedReply(reply: unknown): RedisAdapterError {
  return new RedisAdapterError(
    'rate limiter hit',
    new Error(`unexpected script reply ${JSON.stringify(reply)}`),
  )
}
