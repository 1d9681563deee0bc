import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createTestRedis } from '../../test/support/services.ts'
import { waitFor } from '../../test/support/wait.ts'
import type { AdapterLogger } from '../memory/log.ts'
import type { BusMessage } from '../ports.ts'
import { RedisBus } from './bus.ts'
import { encodeBusMessage } from './bus-codec.ts'
import { redisKeys } from './keys.ts'
import { deleteKeysWithPrefix } from './testing.ts'

const TIMEOUT_MS = 10_000

interface Logged {
  readonly level: 'warn' | 'error'
  readonly message: string
  readonly details: Record<string, unknown>
}

function recorder(): { logs: Logged[]; logger: AdapterLogger } {
  const logs: Logged[] = []
  return {
    logs,
    logger: {
      warn: (details, message) => logs.push({ level: 'warn', message, details }),
      error: (details, message) => logs.push({ level: 'error', message, details }),
    },
  }
}

/** Ids of the server-side clients whose name contains `fragment` (our connection names embed the instance id). */
async function clientIds(admin: Redis, fragment: string): Promise<string[]> {
  const list = await admin.client('LIST')
  return String(list)
    .split('\n')
    .filter((line) => / name=\S+/.test(line) && (line.match(/ name=(\S*)/)?.[1] ?? '').includes(fragment))
    .map((line) => line.match(/^id=(\d+)/)?.[1] ?? '')
    .filter((id) => id !== '')
}

const redis = await createTestRedis()
if (redis !== null) {
  const test = suite('Redis bus: transport specifics')
  const admin = new Redis(redis.url)
  const open: RedisBus[] = []
  const keys = redisKeys(redis.prefix)
  const bus = (logger?: AdapterLogger, source: Redis | string = redis.url): RedisBus => {
    const created = new RedisBus({ redis: source, prefix: redis.prefix, ...(logger ? { logger } : {}) })
    open.push(created)
    return created
  }

  test.after.each(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()))
  })

  test.after(async () => {
    await deleteKeysWithPrefix(redis.url, redis.prefix)
    await admin.quit()
  })

  test('garbage and misrouted frames are logged and dropped; delivery continues', async () => {
    const { logs, logger } = recorder()
    const receiver = bus(logger)
    const canvasId = randomUUID()
    const received: BusMessage[] = []
    await receiver.subscribe(canvasId, (m) => received.push(m))
    const channel = keys.busCanvas(canvasId)
    await admin.publish(channel, Buffer.from([0xde, 0xad, 0xbe, 0xef]))
    await admin.publish(channel, Buffer.alloc(0))
    const misrouted = encodeBusMessage({
      kind: 'update',
      canvasId: 'other',
      origin: 'x',
      seq: 1,
      update: Uint8Array.of(1),
    })
    await admin.publish(channel, misrouted)
    const valid: BusMessage = { kind: 'update', canvasId, origin: 'x', seq: 2, update: Uint8Array.of(2) }
    await admin.publish(channel, encodeBusMessage(valid))
    await waitFor('valid message', () => (received.length > 0 ? true : undefined), TIMEOUT_MS)
    assert.equal(received, [valid])
    assert.equal(
      logs.map((l) => l.message),
      [
        'dropping malformed bus frame',
        'dropping malformed bus frame',
        'dropping bus message published on the wrong channel',
      ],
    )
    assert.is(logs[0]?.details.channel, channel)
  })

  test('after the subscriber connection drops: resubscribes, then fires onReconnect', async () => {
    const { logs, logger } = recorder()
    const receiver = bus(logger)
    const sender = bus()
    const canvasId = randomUUID()
    const received: BusMessage[] = []
    await receiver.subscribe(canvasId, (m) => received.push(m))
    await receiver.subscribe(null, (m) => received.push(m))
    let reconnects = 0
    // Published from inside the listener: it must arrive, i.e. the subscription is live when onReconnect fires.
    const duringRepair: BusMessage = {
      kind: 'update',
      canvasId,
      origin: sender.instanceId,
      seq: 5,
      update: Uint8Array.of(5),
    }
    receiver.onReconnect(() => {
      reconnects += 1
      void sender.publish(duringRepair)
    })

    const ids = await clientIds(admin, `jabiru-bus-sub-${receiver.instanceId}`)
    assert.is(ids.length, 1, 'exactly one subscriber connection')
    await admin.client('KILL', 'ID', ids[0] ?? '')

    await waitFor('onReconnect', () => (reconnects > 0 ? true : undefined), TIMEOUT_MS)
    await waitFor(
      'message published during repair',
      () => (received.length > 0 ? true : undefined),
      TIMEOUT_MS,
    )
    assert.equal(received, [duringRepair])

    const global: BusMessage = { kind: 'access', canvasId: null, userId: 'u', origin: sender.instanceId }
    await sender.publish(global)
    await waitFor(
      'global message after reconnect',
      () => (received.length > 1 ? true : undefined),
      TIMEOUT_MS,
    )
    assert.equal(received, [duringRepair, global])
    assert.is(reconnects, 1)
    // The drop itself may be logged as a connection error; nothing else may be.
    assert.ok(
      logs.every((l) => l.message === 'redis connection error'),
      JSON.stringify(logs),
    )
  })

  test('close() closes its own connections and leaves a borrowed one open', async () => {
    const borrowed = new Redis(redis.url)
    try {
      const fromClient = new RedisBus({ redis: borrowed, prefix: redis.prefix })
      const fromUrl = new RedisBus({ redis: redis.url, prefix: redis.prefix })
      const canvasId = randomUUID()
      await fromClient.subscribe(canvasId, () => undefined)
      await fromUrl.subscribe(canvasId, () => undefined)
      await fromClient.publish({ kind: 'access', canvasId, userId: null, origin: fromClient.instanceId })
      await fromUrl.publish({ kind: 'access', canvasId, userId: null, origin: fromUrl.instanceId })
      assert.is(
        (await clientIds(admin, fromUrl.instanceId)).length,
        2,
        'publisher and subscriber of the URL bus',
      )
      assert.is((await clientIds(admin, fromClient.instanceId)).length, 1, 'subscriber of the borrowing bus')

      await fromClient.close()
      await fromUrl.close()
      assert.is(await borrowed.ping(), 'PONG')
      await waitFor(
        'owned connections gone',
        async () => {
          const left = [
            ...(await clientIds(admin, fromUrl.instanceId)),
            ...(await clientIds(admin, fromClient.instanceId)),
          ]
          return left.length === 0 ? true : undefined
        },
        TIMEOUT_MS,
      )
    } finally {
      await borrowed.quit()
    }
  })

  test.run()
}
