import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { WebSocket } from 'ws'
import { CloseCode } from '../../shared/close-codes.ts'
import { testPrincipal } from '../../test/support/principal.ts'
import { Connection } from '../rooms/connection.ts'
import { HeartbeatSchedule, heartbeatSweep } from './heartbeat.ts'

class SocketDouble {
  pings = 0
  closed: number | null = null
  bufferedAmount = 0
  ping(): void {
    this.pings++
  }
  close(code: number): void {
    this.closed = code
  }
  send(): void {
    throw new Error('not expected')
  }
}

function connection(expiresInMs: number): { connection: Connection; socket: SocketDouble } {
  const socket = new SocketDouble()
  const principal = testPrincipal({ sessionExpiresAt: new Date(Date.now() + expiresInMs) })
  return {
    socket,
    connection: new Connection(socket as unknown as WebSocket, principal, { kind: 'edit', role: 'editor' }),
  }
}

test('expired sessions are closed with 4401; silent clients with Timeout; live ones pinged', () => {
  const expired = connection(-1)
  const live = connection(60_000)
  const silent = connection(60_000)
  heartbeatSweep([expired.connection, live.connection, silent.connection], Date.now())
  assert.is(expired.socket.closed, CloseCode.Unauthenticated)
  assert.is(live.socket.pings, 1)
  assert.is(silent.socket.pings, 1)
  live.connection.markAlive()
  heartbeatSweep([live.connection, silent.connection], Date.now())
  assert.is(live.socket.closed, null)
  assert.is(live.socket.pings, 2)
  assert.is(silent.socket.closed, CloseCode.Timeout)
})

test('a schedule sweeps one slice per tick: every connection once per period, never all at once', () => {
  const schedule = new HeartbeatSchedule(3)
  const all = Array.from({ length: 7 }, () => connection(60_000))
  for (const { connection: c } of all) schedule.add(c)
  schedule.add(all[0]?.connection as Connection)
  assert.is(schedule.size, 7, 'adding twice counts once')
  const pingsPerTick: number[] = []
  let before = 0
  for (let tick = 0; tick < 3; tick++) {
    schedule.tick(Date.now())
    const total = all.reduce((sum, { socket }) => sum + socket.pings, 0)
    pingsPerTick.push(total - before)
    before = total
  }
  assert.equal(pingsPerTick, [3, 2, 2], 'slices are balanced; each tick pings only its own')
  assert.ok(
    all.every(({ socket }) => socket.pings === 1),
    'one period pinged every connection once',
  )
  // Nobody answered: the next period closes each connection as its slice comes round.
  schedule.tick(Date.now())
  assert.is(all.filter(({ socket }) => socket.closed === CloseCode.Timeout).length, 3)
})

test('a closed connection leaves its slice and is never pinged again; new ones fill the smallest slice', () => {
  const schedule = new HeartbeatSchedule(2)
  const [a, b, c] = [connection(60_000), connection(60_000), connection(60_000)]
  schedule.add(a.connection)
  schedule.add(b.connection)
  schedule.delete(a.connection)
  schedule.delete(a.connection)
  assert.is(schedule.size, 1)
  schedule.add(c.connection)
  schedule.tick(Date.now())
  schedule.tick(Date.now())
  assert.is(a.socket.pings, 0)
  assert.is(b.socket.pings + c.socket.pings, 2, 'b and c were put in different slices and both swept')
})

test('the tick interval divides the period, and is never zero', () => {
  assert.is(HeartbeatSchedule.tickMs(30_000), 100)
  assert.is(HeartbeatSchedule.tickMs(10, 30), 1)
  assert.throws(() => new HeartbeatSchedule(0), /positive integer/)
})

test.run()
