import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { WebSocket } from 'ws'
import { CloseCode } from '../../shared/close-codes.ts'
import { Connection } from '../rooms/connection.ts'
import { heartbeatSweep } from './heartbeat.ts'

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
  const principal = {
    userId: 'u',
    organizationId: 'o',
    displayName: 'U',
    sessionHash: 'h',
    sessionExpiresAt: new Date(Date.now() + expiresInMs),
  }
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

test.run()
