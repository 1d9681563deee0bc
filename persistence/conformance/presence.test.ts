import { createTestRedis } from '../../test/support/services.ts'
import { MemoryPresenceStore } from '../memory/presence.ts'
import { RedisPresenceStore } from '../redis/presence.ts'
import { deleteKeysWithPrefix } from '../redis/testing.ts'
import { presenceConformance } from './presence.ts'

presenceConformance('memory', async () => new MemoryPresenceStore())

const redis = await createTestRedis()
if (redis !== null) {
  presenceConformance(
    'redis',
    async () => new RedisPresenceStore({ redis: redis.url, prefix: redis.prefix }),
    () => deleteKeysWithPrefix(redis.url, redis.prefix),
  )
}
