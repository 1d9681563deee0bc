import { createTestRedis } from '../../test/support/services.ts'
import { MemoryLockManager } from '../memory/locks.ts'
import { RedisLockManager } from '../redis/locks.ts'
import { deleteKeysWithPrefix } from '../redis/testing.ts'
import { lockConformance } from './locks.ts'

lockConformance('memory', async () => new MemoryLockManager())

const redis = await createTestRedis()
if (redis !== null) {
  lockConformance(
    'redis',
    async () => new RedisLockManager({ redis: redis.url, prefix: redis.prefix }),
    () => deleteKeysWithPrefix(redis.url, redis.prefix),
  )
}
