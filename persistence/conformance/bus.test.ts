import { createTestRedis } from '../../test/support/services.ts'
import { MemoryBus, MemoryBusHub } from '../memory/bus.ts'
import { RedisBus } from '../redis/bus.ts'
import { deleteKeysWithPrefix } from '../redis/testing.ts'
import { busConformance } from './bus.ts'

const hubs = new Map<string, MemoryBusHub>()
busConformance('memory', async (network, logger) => {
  let hub = hubs.get(network)
  if (hub === undefined) {
    hub = new MemoryBusHub()
    hubs.set(network, hub)
  }
  return new MemoryBus({ hub, logger })
})

const redis = await createTestRedis()
if (redis !== null) {
  busConformance(
    'redis',
    async (network, logger) =>
      new RedisBus({ redis: redis.url, prefix: `${redis.prefix}${network}:`, logger }),
    () => deleteKeysWithPrefix(redis.url, redis.prefix),
  )
}
