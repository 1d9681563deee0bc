import { EventEmitter } from 'node:events'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { WebSocket } from 'ws'
import { CloseCode } from '../../shared/close-codes.ts'
import { testPrincipal } from '../../test/support/principal.ts'
import { createLogger } from '../logger.ts'
import { Connection } from '../rooms/connection.ts'
import { RoomLoadError } from '../rooms/registry.ts'
import { HeartbeatSchedule } from './heartbeat.ts'
import { MessageBudget } from './message-budget.ts'
import { type FrameSink, type SessionRooms, SocketSession } from './socket-session.ts'

/** The parts of a ws WebSocket a session and its Connection use; events are emitted by the test. */
class FakeSocket extends EventEmitter {
  readonly readyState = WebSocket.OPEN
  readonly bufferedAmount = 0
  closedWith: { code: number; reason: string } | null = null
  pings = 0
  close(code: number, reason: string): void {
    this.closedWith = { code, reason }
  }
  ping(): void {
    this.pings++
  }
  /** A frame as ws hands it to 'message' listeners. */
  receive(bytes: readonly number[], isBinary = true): void {
    this.emit('message', Buffer.from(bytes), isBinary)
  }
}

class RecordingRoom implements FrameSink {
  readonly frames: number[][] = []
  handleFrame(_connection: Connection, data: Uint8Array): void {
    this.frames.push([...data])
  }
}

/** Rooms whose attach the test settles by hand, recording detaches. */
class HeldRooms implements SessionRooms<RecordingRoom> {
  readonly detached: RecordingRoom[] = []
  private settle: { resolve: (room: RecordingRoom) => void; reject: (error: unknown) => void } | null = null
  attach(_canvasId: string, _connection: Connection): Promise<RecordingRoom> {
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject }
    })
  }
  detach(room: RecordingRoom): void {
    this.detached.push(room)
  }
  resolve(room: RecordingRoom): void {
    this.settle?.resolve(room)
  }
  reject(error: unknown): void {
    this.settle?.reject(error)
  }
}

const BUDGET = { messagesPerSecond: 100, messageBurst: 5, bytesPerSecond: 1_000_000, byteBurst: 1_000_000 }

function startSession(budget = BUDGET) {
  const socket = new FakeSocket()
  const ws = socket as unknown as WebSocket
  const connection = new Connection(ws, testPrincipal(), { kind: 'edit', role: 'editor' })
  const rooms = new HeldRooms()
  const heartbeats = new HeartbeatSchedule()
  SocketSession.start(ws, connection, 'canvas-1', new MessageBudget(budget), {
    registry: rooms,
    log: createLogger('silent'),
    heartbeats,
  })
  return { socket, connection, rooms, heartbeats }
}

/** Lets the attach promise's reactions run (they are queued when the test settles it). */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

test('frames received while the room loads are handled in order once it is attached, later ones directly', async () => {
  const { socket, rooms } = startSession()
  socket.receive([1, 1])
  socket.receive([1, 2])
  const room = new RecordingRoom()
  assert.equal(room.frames, [], 'nothing reaches a room before it is attached')
  rooms.resolve(room)
  await settled()
  socket.receive([1, 3])
  assert.equal(room.frames, [
    [1, 1],
    [1, 2],
    [1, 3],
  ])
})

test('a socket that closes while its room loads is detached from the room it gets, which sees none of its frames', async () => {
  const { socket, connection, rooms, heartbeats } = startSession()
  socket.receive([1, 1])
  socket.emit('close', 1000, Buffer.alloc(0))
  assert.not.ok(connection.isOpen)
  assert.is(heartbeats.size, 0, 'no longer pinged')
  const room = new RecordingRoom()
  rooms.resolve(room)
  await settled()
  assert.equal(rooms.detached, [room])
  assert.equal(room.frames, [])
})

test('closing an attached socket detaches it once', async () => {
  const { socket, rooms, heartbeats } = startSession()
  assert.is(heartbeats.size, 1)
  const room = new RecordingRoom()
  rooms.resolve(room)
  await settled()
  socket.emit('close', 1000, Buffer.alloc(0))
  socket.receive([1, 9])
  assert.equal(rooms.detached, [room])
  assert.equal(room.frames, [], 'frames after the close are dropped')
  assert.is(heartbeats.size, 0)
})

test('a room that cannot be loaded closes the socket: 4503 for storage, 1011 for anything else', async () => {
  const storage = startSession()
  storage.rooms.reject(new RoomLoadError('storage unavailable'))
  await settled()
  assert.is(storage.socket.closedWith?.code, CloseCode.LoadFailed)

  const bug = startSession()
  bug.rooms.reject(new Error('not a storage failure'))
  await settled()
  assert.is(bug.socket.closedWith?.code, CloseCode.InternalError)
})

test('a text frame closes the socket (4400) and reaches no room, even the one that loads after', async () => {
  const { socket, rooms } = startSession()
  socket.receive([104, 105], false)
  assert.equal(socket.closedWith, { code: CloseCode.BadMessage, reason: 'binary frames only' })
  // ws emits 'close' only once the closing handshake ends; the room may load before that.
  const room = new RecordingRoom()
  rooms.resolve(room)
  await settled()
  socket.receive([1, 1])
  assert.equal(rooms.detached, [room])
  assert.equal(room.frames, [])
})

test('past its message budget a socket is closed with 4429; frames within it all went through', async () => {
  const { socket, rooms } = startSession()
  const room = new RecordingRoom()
  rooms.resolve(room)
  await settled()
  for (let i = 0; i < BUDGET.messageBurst; i++) socket.receive([1, i])
  assert.is(socket.closedWith, null)
  socket.receive([1, 99])
  assert.is(socket.closedWith?.code, CloseCode.RateLimited)
  assert.is(room.frames.length, BUDGET.messageBurst)
})

test('a pong marks the connection alive for the next heartbeat', () => {
  const { socket, connection } = startSession()
  assert.ok(connection.checkAlive(), 'alive at first (and pinged)')
  assert.not.ok(connection.checkAlive(), 'no pong since the ping')
  socket.emit('pong', Buffer.alloc(0))
  assert.ok(connection.checkAlive())
  assert.is(socket.pings, 2)
})

test.run()
