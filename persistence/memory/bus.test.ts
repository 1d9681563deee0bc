import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../test/support/wait.ts'
import type { BusMessage } from '../ports.ts'
import { MemoryBus, MemoryBusHub } from './bus.ts'

const test = suite('MemoryBus: simulated disconnects')

test('a disconnected instance loses messages; reconnect fires onReconnect and delivery resumes', async () => {
  const hub = new MemoryBusHub()
  const sender = new MemoryBus({ hub })
  const receiver = new MemoryBus({ hub })
  const received: BusMessage[] = []
  let reconnects = 0
  await receiver.subscribe('c', (m) => received.push(m))
  receiver.onReconnect(() => {
    reconnects += 1
  })
  const message = (seq: number): BusMessage => ({
    kind: 'update',
    canvasId: 'c',
    origin: sender.instanceId,
    seq,
    update: Uint8Array.of(seq),
  })

  receiver.simulateDisconnect()
  await sender.publish(message(1))
  // Delivery is FIFO: once the sender's own listener has message 2, the receiver was offered (and lost) 1 and 2.
  const atSender: BusMessage[] = []
  await sender.subscribe('c', (m) => atSender.push(m))
  await sender.publish(message(2))
  await waitFor('delivery at sender', () => (atSender.length === 1 ? true : undefined))

  receiver.simulateReconnect()
  assert.is(reconnects, 1)
  await sender.publish(message(3))
  await waitFor('delivery after reconnect', () => (received.length === 1 ? true : undefined))
  assert.equal(received, [message(3)])

  receiver.simulateReconnect() // already connected: no second notification
  assert.is(reconnects, 1)
  await Promise.all([sender.close(), receiver.close()])
})

test('buses on different hubs do not see each other', async () => {
  const a = new MemoryBus()
  const b = new MemoryBus()
  const seen: BusMessage[] = []
  await b.subscribe(null, (m) => seen.push(m))
  await b.subscribe('c', (m) => seen.push(m))
  await a.publish({ kind: 'access', canvasId: null, userId: null, origin: a.instanceId })
  const marker: BusMessage = { kind: 'access', canvasId: 'c', userId: null, origin: b.instanceId }
  await b.publish(marker)
  await waitFor('marker', () => (seen.length > 0 ? true : undefined))
  assert.equal(seen, [marker])
  await Promise.all([a.close(), b.close()])
})

test.run()
