import type { RawData, WebSocket } from 'ws'
import { CloseCode } from '../../shared/close-codes.ts'
import type { Logger } from '../logger.ts'
import type { Connection } from '../rooms/connection.ts'
import { RoomLoadError } from '../rooms/registry.ts'
import type { HeartbeatSchedule } from './heartbeat.ts'
import type { MessageBudget } from './message-budget.ts'

/** A loaded room, as a session sees it. */
export interface FrameSink {
  handleFrame(connection: Connection, data: Uint8Array): void
}

/** Where sessions get their rooms: the RoomRegistry in the server. */
export interface SessionRooms<R extends FrameSink> {
  /** Loads (or reuses) the canvas's room and joins the connection; rejects with RoomLoadError on storage failure. */
  attach(canvasId: string, connection: Connection): Promise<R>
  detach(room: R, connection: Connection): void
}

/**
 * Where a socket's frames go:
 * - `loading`: the room is being loaded; frames are queued and handled in order once it is attached;
 * - `attached`: straight to the room;
 * - `detached`: the socket closed or the room could not be loaded; frames are dropped.
 */
type FrameRoute<R> =
  | { readonly kind: 'loading'; readonly queued: Uint8Array[] }
  | { readonly kind: 'attached'; readonly room: R }
  | { readonly kind: 'detached' }

/** What every session shares: one object for the server, not one per connection. */
export interface SocketSessionDeps<R extends FrameSink> {
  readonly registry: SessionRooms<R>
  readonly log: Logger
  readonly heartbeats: HeartbeatSchedule
}

/**
 * One accepted WebSocket: its Connection, its message budget and the route of its frames to its canvas's room.
 *
 * Memory: a server holds tens of thousands of these for as long as their clients stay, so a session is one object
 * and the socket's listeners are module functions shared by every socket, which find their session by the socket
 * (`sessions`). The alternative, a closure per listener, costs a closure and its scope per connection, and under
 * tsx (esbuild's keepNames) a named one also carries a property table of ~256 bytes: together about 1 KB per
 * connection, measured in heap snapshots of 2,000 connections.
 */
export class SocketSession<R extends FrameSink> implements SocketEvents {
  private route: FrameRoute<R> = { kind: 'loading', queued: [] }

  private constructor(
    readonly connection: Connection,
    private readonly canvasId: string,
    private readonly budget: MessageBudget,
    private readonly deps: SocketSessionDeps<R>,
  ) {}

  /** Starts serving `ws` (already upgraded) as `connection` on `canvasId`. */
  static start<R extends FrameSink>(
    ws: WebSocket,
    connection: Connection,
    canvasId: string,
    budget: MessageBudget,
    deps: SocketSessionDeps<R>,
  ): void {
    const session = new SocketSession(connection, canvasId, budget, deps)
    sessions.set(ws, session)
    deps.heartbeats.add(connection)
    ws.on('message', onSocketMessage)
    ws.on('pong', onSocketPong)
    ws.on('error', onSocketError)
    ws.on('close', onSocketClose)
    deps.registry.attach(canvasId, connection).then(
      (room) => session.attached(room),
      (error: unknown) => session.attachFailed(error),
    )
  }

  private attached(room: R): void {
    const route = this.route
    if (route.kind !== 'loading' || !this.connection.isOpen) {
      this.route = { kind: 'detached' }
      this.deps.registry.detach(room, this.connection)
      return
    }
    this.route = { kind: 'attached', room }
    for (const data of route.queued) room.handleFrame(this.connection, data)
  }

  private attachFailed(error: unknown): void {
    this.route = { kind: 'detached' }
    this.deps.log.error({ err: error, canvasId: this.canvasId }, 'could not attach connection')
    this.connection.close(error instanceof RoomLoadError ? CloseCode.LoadFailed : CloseCode.InternalError)
  }

  receive(data: RawData, isBinary: boolean): void {
    const bytes = data instanceof Buffer ? data.byteLength : 0
    if (!this.budget.allow(bytes)) {
      if (this.connection.isOpen) {
        this.deps.log.warn({ connectionId: this.connection.id }, 'message budget exceeded; closing')
      }
      this.connection.close(CloseCode.RateLimited)
      return
    }
    if (!isBinary || !(data instanceof Buffer)) {
      this.connection.close(CloseCode.BadMessage, 'binary frames only')
      return
    }
    const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    const route = this.route
    switch (route.kind) {
      case 'loading':
        route.queued.push(frame)
        return
      case 'attached':
        route.room.handleFrame(this.connection, frame)
        return
      case 'detached':
        return
      default: {
        const never: never = route
        throw new Error(`unhandled frame route ${JSON.stringify(never)}`)
      }
    }
  }

  socketError(error: Error): void {
    // ws sets the close code itself for protocol errors (e.g. 1009 for maxPayload) and then emits 'close'.
    this.deps.log.warn({ err: error, connectionId: this.connection.id }, 'socket error')
  }

  closed(): void {
    this.deps.heartbeats.delete(this.connection)
    this.connection.close(CloseCode.Normal)
    const route = this.route
    this.route = { kind: 'detached' }
    // Still loading: `attached` sees the route detached and detaches the connection from the room it gets.
    if (route.kind === 'attached') this.deps.registry.detach(route.room, this.connection)
  }
}

/** What the shared listeners call on a session. */
interface SocketEvents {
  readonly connection: Connection
  receive(data: RawData, isBinary: boolean): void
  socketError(error: Error): void
  closed(): void
}

const sessions = new WeakMap<WebSocket, SocketEvents>()

function sessionOf(ws: WebSocket): SocketEvents {
  const session = sessions.get(ws)
  // Listeners are added only after the session is recorded, so this is a bug in this file, never a client's doing.
  if (session === undefined) throw new Error('a WebSocket listener fired for a socket without a session')
  return session
}

function onSocketMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  sessionOf(this).receive(data, isBinary)
}

function onSocketPong(this: WebSocket): void {
  sessionOf(this).connection.markAlive()
}

function onSocketError(this: WebSocket, error: Error): void {
  sessionOf(this).socketError(error)
}

function onSocketClose(this: WebSocket): void {
  sessionOf(this).closed()
}
