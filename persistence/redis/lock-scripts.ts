import { LuaScript } from './lua-script.ts'

/**
 * Lua for block leases. KEYS[1] is the canvas's lease hash (field = block id, value = JSON lease without ids);
 * every script reads the clock from Redis TIME, so all instances judge expiry by one clock. A field whose lease
 * has expired, or does not decode, counts as free and is deleted or overwritten when met. The hash's TTL is only
 * lengthened, so it always outlives its longest lease; Redis drops the hash when its last field goes.
 */
const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function live_lease(raw, now)
  if not raw then return nil end
  local ok, lease = pcall(cjson.decode, raw)
  if not ok or type(lease) ~= 'table' then return nil end
  if type(lease.userId) ~= 'string' or type(lease.token) ~= 'string' then return nil end
  if type(lease.fence) ~= 'number' or type(lease.expiresAt) ~= 'number' then return nil end
  if lease.expiresAt <= now then return nil end
  return lease
end
local function extend_key(key, ttl)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
`

/**
 * KEYS: leases, fence counter. ARGV: blockId, userId, new token, ttlMs. Returns {1, lease} (acquired, or renewed
 * because the caller's user already holds it) or {0, holder's lease}. The fence counter (INCR, no TTL) is per
 * canvas and never reset, so fences keep increasing across expiries and releases.
 */
export const ACQUIRE = new LuaScript(
  'lock acquire',
  `${PRELUDE}
local now = now_ms()
local ttl = tonumber(ARGV[4])
local current = live_lease(redis.call('HGET', KEYS[1], ARGV[1]), now)
if current then
  if current.userId ~= ARGV[2] then return {0, cjson.encode(current)} end
  current.expiresAt = now + ttl
  local raw = cjson.encode(current)
  redis.call('HSET', KEYS[1], ARGV[1], raw)
  extend_key(KEYS[1], ttl)
  return {1, raw}
end
local fence = redis.call('INCR', KEYS[2])
local raw = cjson.encode({userId = ARGV[2], token = ARGV[3], fence = fence, expiresAt = now + ttl})
redis.call('HSET', KEYS[1], ARGV[1], raw)
extend_key(KEYS[1], ttl)
return {1, raw}`,
)

/** KEYS: leases. ARGV: blockId, token, ttlMs. Returns the extended lease, or nil when the token does not hold it. */
export const RENEW = new LuaScript(
  'lock renew',
  `${PRELUDE}
local now = now_ms()
local ttl = tonumber(ARGV[3])
local current = live_lease(redis.call('HGET', KEYS[1], ARGV[1]), now)
if not current or current.token ~= ARGV[2] then return false end
current.expiresAt = now + ttl
local raw = cjson.encode(current)
redis.call('HSET', KEYS[1], ARGV[1], raw)
extend_key(KEYS[1], ttl)
return raw`,
)

/** KEYS: leases. ARGV: blockId, token. Returns 1 when released, 0 when the token did not hold the lock. */
export const RELEASE = new LuaScript(
  'lock release',
  `${PRELUDE}
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local current = live_lease(raw, now_ms())
if current and current.token ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
if current then return 1 end
return 0`,
)

/** KEYS: leases. ARGV: blockId. Deletes the field; returns the lease if it was live, else nil. */
export const FORCE_RELEASE = new LuaScript(
  'lock force release',
  `${PRELUDE}
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
local current = live_lease(raw, now_ms())
if not current then return false end
return cjson.encode(current)`,
)

/** KEYS: leases. ARGV: userId. Deletes the user's leases (and dead fields); returns {blockId, lease, ...}. */
export const RELEASE_ALL_FOR_USER = new LuaScript(
  'lock release all for user',
  `${PRELUDE}
local now = now_ms()
local fields = redis.call('HGETALL', KEYS[1])
local released = {}
for i = 1, #fields, 2 do
  local current = live_lease(fields[i + 1], now)
  if not current then
    redis.call('HDEL', KEYS[1], fields[i])
  elseif current.userId == ARGV[1] then
    redis.call('HDEL', KEYS[1], fields[i])
    released[#released + 1] = fields[i]
    released[#released + 1] = cjson.encode(current)
  end
end
return released`,
)

/** KEYS: leases. Returns the live leases as {blockId, lease, ...}, deleting dead fields. */
export const LIST = new LuaScript(
  'lock list',
  `${PRELUDE}
local now = now_ms()
local fields = redis.call('HGETALL', KEYS[1])
local live = {}
for i = 1, #fields, 2 do
  local current = live_lease(fields[i + 1], now)
  if current then
    live[#live + 1] = fields[i]
    live[#live + 1] = cjson.encode(current)
  else
    redis.call('HDEL', KEYS[1], fields[i])
  end
end
return live`,
)
