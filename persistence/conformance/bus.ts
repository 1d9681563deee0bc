import { randomBytes, randomUUID } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../test/support/wait.ts'
import type { AdapterLogger } from '../memory/log.ts'
import type { Bus, BusMessage } from '../ports.ts'

/**
 * Makes one bus instance. Instances made with the same `network` must reach each other (as instances sharing one
 * Redis do); different networks must be isolated. The suite uses a fresh network per test. The bus must report
 * through `logger`: the suite checks that nothing unexpected was logged.
 */
export type MakeBus = (network: string, logger: AdapterLogger) => Promise<Bus>

interface LogRecord {
  readonly level: 'warn' | 'error'
  readonly message: string
  readonly details: Record<string, unknown>
}

function recordingLogger(records: LogRecord[]): AdapterLogger {
  return {
    warn: (details, message) => {
      records.push({ level: 'warn', message, details })
    },
    error: (details, message) => {
      records.push({ level: 'error', message, details })
    },
  }
}

const DELIVERY_TIMEOUT_MS = 5_000
const LARGE_PAYLOAD_BYTES = 1024 * 1024
const BYTE_VALUES = 256

interface Inbox {
  readonly messages: BusMessage[]
  readonly listener: (message: BusMessage) => void
  /** Waits until at least `count` messages arrived and returns them all. */
  waitFor(count: number, what: string): Promise<BusMessage[]>
}

function inbox(): Inbox {
  const messages: BusMessage[] = []
  return {
    messages,
    listener: (message) => {
      messages.push(message)
    },
    waitFor: (count, what) =>
      waitFor(what, () => (messages.length >= count ? [...messages] : undefined), DELIVERY_TIMEOUT_MS),
  }
}

function update(origin: string, canvasId: string, seq: number, bytes: Uint8Array): BusMessage {
  return { kind: 'update', canvasId, origin, seq, update: bytes }
}

function sameBytes(actual: Uint8Array, expected: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(actual), Buffer.from(expected)) === 0
}

/**
 * Ordering note: several tests prove that something was NOT delivered by publishing a marker after it and waiting
 * for the marker. Every adapter delivers one publisher's messages to one subscriber in publish order (one Redis
 * connection each way), so once the marker is in, anything published before it has been delivered or never will.
 */
export function busConformance(name: string, makeBus: MakeBus, teardown?: () => Promise<void>): void {
  const suiteOfTests = suite(`Bus conformance: ${name}`)
  let network = ''
  let created: Bus[] = []
  let logs: LogRecord[] = []

  const instance = async (): Promise<Bus> => {
    const bus = await makeBus(network, recordingLogger(logs))
    created.push(bus)
    return bus
  }

  /** Registers a test that also fails if the buses logged anything the test did not consume from `logs`. */
  const test = (title: string, body: () => Promise<void>): void => {
    suiteOfTests(title, async () => {
      await body()
      assert.equal(logs, [], 'unexpected bus log records')
    })
  }

  suiteOfTests.before.each(() => {
    network = randomBytes(6).toString('hex')
    created = []
    logs = []
  })

  suiteOfTests.after.each(async () => {
    await Promise.all(created.map((bus) => bus.close()))
  })

  if (teardown !== undefined) suiteOfTests.after(teardown)

  test('instances have distinct ids', async () => {
    const a = await instance()
    const b = await instance()
    assert.type(a.instanceId, 'string')
    assert.ok(a.instanceId.length > 0)
    assert.is.not(a.instanceId, b.instanceId)
  })

  test('delivers to other instances subscribed to the canvas', async () => {
    const a = await instance()
    const b = await instance()
    const c = await instance()
    const canvasId = randomUUID()
    const atB = inbox()
    const atC = inbox()
    await b.subscribe(canvasId, atB.listener)
    await c.subscribe(canvasId, atC.listener)
    const message = update(a.instanceId, canvasId, 7, Uint8Array.of(1, 2, 3))
    await a.publish(message)
    assert.equal(await atB.waitFor(1, 'delivery to b'), [message])
    assert.equal(await atC.waitFor(1, 'delivery to c'), [message])
  })

  test('delivers own messages back with own origin', async () => {
    const a = await instance()
    const canvasId = randomUUID()
    const atA = inbox()
    await a.subscribe(canvasId, atA.listener)
    await a.publish(update(a.instanceId, canvasId, 1, Uint8Array.of(9)))
    const [received] = await atA.waitFor(1, 'own message')
    assert.is(received?.origin, a.instanceId)
  })

  test('keeps messages of one publisher in publish order', async () => {
    const a = await instance()
    const b = await instance()
    const canvasId = randomUUID()
    const atB = inbox()
    await b.subscribe(canvasId, atB.listener)
    const count = 50
    for (let seq = 1; seq <= count; seq++)
      await a.publish(update(a.instanceId, canvasId, seq, Uint8Array.of(seq)))
    const received = await atB.waitFor(count, 'all updates')
    assert.equal(
      received.map((m) => (m.kind === 'update' ? m.seq : -1)),
      Array.from({ length: count }, (_, i) => i + 1),
    )
  })

  test('isolates canvases', async () => {
    const a = await instance()
    const b = await instance()
    const mine = randomUUID()
    const other = randomUUID()
    const atB = inbox()
    await b.subscribe(mine, atB.listener)
    await a.publish(update(a.instanceId, other, 1, Uint8Array.of(1)))
    await a.publish({ kind: 'awareness', canvasId: other, origin: a.instanceId, payload: Uint8Array.of(2) })
    await a.publish({ kind: 'access', canvasId: null, userId: 'u1', origin: a.instanceId })
    const marker = update(a.instanceId, mine, 2, Uint8Array.of(3))
    await a.publish(marker)
    await atB.waitFor(1, 'marker')
    assert.equal(atB.messages, [marker])
  })

  test('isolates networks', async () => {
    const a = await instance()
    const canvasId = randomUUID()
    const atA = inbox()
    await a.subscribe(canvasId, atA.listener)
    const foreignNetwork = network
    network = randomBytes(6).toString('hex')
    const stranger = await instance()
    network = foreignNetwork
    await stranger.publish(update(stranger.instanceId, canvasId, 1, Uint8Array.of(1)))
    const marker = update(a.instanceId, canvasId, 2, Uint8Array.of(2))
    await a.publish(marker)
    await atA.waitFor(1, 'marker')
    assert.equal(atA.messages, [marker])
  })

  test('every listener of a canvas on one instance receives the message', async () => {
    const a = await instance()
    const b = await instance()
    const canvasId = randomUUID()
    const first = inbox()
    const second = inbox()
    await b.subscribe(canvasId, first.listener)
    await b.subscribe(canvasId, second.listener)
    const message = update(a.instanceId, canvasId, 1, Uint8Array.of(1))
    await a.publish(message)
    assert.equal(await first.waitFor(1, 'first listener'), [message])
    assert.equal(await second.waitFor(1, 'second listener'), [message])
  })

  test('unsubscribe stops delivery to that listener only', async () => {
    const a = await instance()
    const b = await instance()
    const canvasId = randomUUID()
    const dropped = inbox()
    const kept = inbox()
    const subscription = await b.subscribe(canvasId, dropped.listener)
    await b.subscribe(canvasId, kept.listener)
    await subscription.unsubscribe()
    const message = update(a.instanceId, canvasId, 1, Uint8Array.of(1))
    await a.publish(message)
    assert.equal(await kept.waitFor(1, 'remaining listener'), [message])
    assert.equal(dropped.messages, [])
  })

  test("unsubscribing a canvas's last listener stops its delivery", async () => {
    const a = await instance()
    const b = await instance()
    const canvasId = randomUUID()
    const markerCanvas = randomUUID()
    const dropped = inbox()
    const markers = inbox()
    const subscription = await b.subscribe(canvasId, dropped.listener)
    await b.subscribe(markerCanvas, markers.listener)
    await subscription.unsubscribe()
    await subscription.unsubscribe() // idempotent
    await a.publish(update(a.instanceId, canvasId, 1, Uint8Array.of(1)))
    await a.publish(update(a.instanceId, markerCanvas, 1, Uint8Array.of(2)))
    await markers.waitFor(1, 'marker')
    assert.equal(dropped.messages, [])

    // Subscribing again after a full unsubscribe works.
    const again = inbox()
    await b.subscribe(canvasId, again.listener)
    const message = update(a.instanceId, canvasId, 2, Uint8Array.of(3))
    await a.publish(message)
    assert.equal(await again.waitFor(1, 'delivery after resubscribe'), [message])
  })

  test('binary payloads round-trip byte-exact', async () => {
    const a = await instance()
    const b = await instance()
    const canvasId = randomUUID()
    const atB = inbox()
    await b.subscribe(canvasId, atB.listener)
    const everyByte = Uint8Array.from(
      { length: BYTE_VALUES * 2 },
      (_, i) => (BYTE_VALUES - 1 - i) % BYTE_VALUES,
    )
    const large = new Uint8Array(randomBytes(LARGE_PAYLOAD_BYTES))
    const notUtf8 = Uint8Array.of(0xff, 0xfe, 0xc3, 0x28, 0x00, 0xed, 0xa0, 0x80)
    const sent: BusMessage[] = [
      update(a.instanceId, canvasId, 1, everyByte),
      update(a.instanceId, canvasId, 2, new Uint8Array(0)),
      update(a.instanceId, canvasId, Number.MAX_SAFE_INTEGER, large),
      { kind: 'awareness', canvasId, origin: a.instanceId, payload: notUtf8 },
      { kind: 'awareness', canvasId, origin: a.instanceId, payload: new Uint8Array(0) },
    ]
    // A view into a larger buffer: only the viewed bytes may travel.
    const backing = Uint8Array.of(0xaa, 1, 2, 3, 0xbb)
    sent.push(update(a.instanceId, canvasId, 3, backing.subarray(1, 4)))
    for (const message of sent) await a.publish(message)
    const received = await atB.waitFor(sent.length, 'all binary messages')
    assert.is(received.length, sent.length)
    received.forEach((got, i) => {
      const want = sent[i]
      assert.ok(want !== undefined)
      assert.is(got.kind, want.kind)
      if (got.kind === 'update' && want.kind === 'update') {
        assert.is(got.seq, want.seq)
        assert.instance(got.update, Uint8Array)
        assert.ok(sameBytes(got.update, want.update), `update ${i} differs`)
      } else if (got.kind === 'awareness' && want.kind === 'awareness') {
        assert.instance(got.payload, Uint8Array)
        assert.ok(sameBytes(got.payload, want.payload), `awareness ${i} differs`)
      }
    })
    const first = received[0]
    assert.ok(first?.kind === 'update')
    assert.equal(Array.from(first.update), Array.from(everyByte))
  })

  test('receivers own their bytes: mutating a received payload affects no one else', async () => {
    const a = await instance()
    const b = await instance()
    const canvasId = randomUUID()
    const first = inbox()
    const second = inbox()
    await b.subscribe(canvasId, first.listener)
    await a.subscribe(canvasId, second.listener)
    const bytes = Uint8Array.of(1, 2, 3)
    await a.publish(update(a.instanceId, canvasId, 1, bytes))
    const [atB] = await first.waitFor(1, 'b')
    const [atA] = await second.waitFor(1, 'a')
    assert.ok(atB?.kind === 'update' && atA?.kind === 'update')
    atB.update[0] = 99
    assert.is(bytes[0], 1)
    assert.is(atA.update[0], 1)
  })

  test('access changes travel on the global channel, with or without a canvas; never on a canvas channel', async () => {
    const a = await instance()
    const b = await instance()
    const canvasId = randomUUID()
    const global = inbox()
    const canvas = inbox()
    await b.subscribe(null, global.listener)
    await b.subscribe(canvasId, canvas.listener)
    const revocation: BusMessage = { kind: 'access', canvasId: null, userId: 'user-1', origin: a.instanceId }
    const everyone: BusMessage = { kind: 'access', canvasId: null, userId: null, origin: a.instanceId }
    const scoped: BusMessage = { kind: 'access', canvasId, userId: 'user-2', origin: a.instanceId }
    await a.publish(revocation)
    await a.publish(everyone)
    await a.publish(scoped)
    // A canvas message after them: the canvas channel has seen everything published before it.
    const marker: BusMessage = { kind: 'locks', canvasId, origin: a.instanceId }
    await a.publish(marker)
    assert.equal(await global.waitFor(3, 'global messages'), [revocation, everyone, scoped])
    assert.equal(await canvas.waitFor(1, 'canvas marker'), [marker])
  })

  test('a throwing listener does not stop delivery to the others', async () => {
    const a = await instance()
    const b = await instance()
    const canvasId = randomUUID()
    const healthy = inbox()
    let thrown = 0
    await b.subscribe(canvasId, () => {
      thrown += 1
      throw new Error('listener failure (expected by this test)')
    })
    await b.subscribe(canvasId, healthy.listener)
    const first = update(a.instanceId, canvasId, 1, Uint8Array.of(1))
    const second = update(a.instanceId, canvasId, 2, Uint8Array.of(2))
    await a.publish(first)
    await a.publish(second)
    assert.equal(await healthy.waitFor(2, 'both messages'), [first, second])
    assert.is(thrown, 2)
    // The failure is reported, not swallowed.
    await waitFor('listener errors logged', () => (logs.length >= 2 ? true : undefined), DELIVERY_TIMEOUT_MS)
    assert.equal(
      logs.map((record) => [record.level, record.message]),
      [
        ['error', 'bus listener threw'],
        ['error', 'bus listener threw'],
      ],
    )
    logs.length = 0
  })

  test('onReconnect accepts listeners; publish after close rejects', async () => {
    const a = await instance()
    a.onReconnect(() => undefined)
    await a.close()
    let rejected = false
    await a.publish(update(a.instanceId, randomUUID(), 1, Uint8Array.of(1))).catch((error: unknown) => {
      rejected = error instanceof Error
    })
    assert.ok(rejected, 'publish on a closed bus must reject')
  })

  suiteOfTests.run()
}
