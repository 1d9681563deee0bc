import { createTestRedis } from '../../test/support/services.ts'
import { MemoryRateLimiter } from '../memory/rate-limiter.ts'
import { RedisRateLimiter } from '../redis/rate-limiter.ts'
import { deleteKeysWithPrefix } from '../redis/testing.ts'
import { rateLimiterConformance } from './rate-limiter.ts'

rateLimiterConformance('memory', async () => new MemoryRateLimiter())

const redis = await createTestRedis()
if (redis !== null) {
  rateLimiterConformance(
    'redis',
    async () => new RedisRateLimiter({ redis: redis.url, prefix: redis.prefix }),
    () => deleteKeysWithPrefix(redis.url, redis.prefix),
  )
}
