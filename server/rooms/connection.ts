import { randomUUID } from 'node:crypto'
import { WebSocket } from 'ws'
import { CloseCode, closeReason } from '../../shared/close-codes.ts'
import { Broadcast, binaryFrame } from '../ws/binary-frame.ts'
import { type Corkable, SocketHold, writeCoalescer } from '../ws/write-coalescer.ts'
import type { Access, Principal } from './principal.ts'

/**
 * One WebSocket on one canvas. State is a tagged union:
 * - `editing`: updates are accepted (after journaling);
 * - `read-only`: the connection receives everything, its document changes are dropped and it is told so;
 * - `closing`: a close was sent; nothing more is processed or sent.
 */
export type ConnectionState =
  | { readonly kind: 'editing' }
  | { readonly kind: 'read-only'; readonly reason: string }
  | { readonly kind: 'closing'; readonly code: CloseCode }

/**
 * A connection id (a UUID), flat in memory. Node builds `randomUUID()`'s string by concatenation, and V8 keeps such
 * a string as a tree of 15 pieces, about 470 bytes (measured in a heap snapshot), for as long as it lives: here,
 * the connection's whole life.
 */
function newConnectionId(): string {
  return Buffer.from(randomUUID(), 'latin1').toString('latin1')
}

/** Past this many bytes queued in the socket the client is too slow to follow the room: it is disconnected. */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024

/** The upgraded socket ws reads from and writes to. */
export interface Wire extends Corkable {
  write(chunk: Uint8Array): boolean
}

export class Connection {
  readonly id = newConnectionId()
  /** Awareness client ids this connection introduced; it may update or remove only these. */
  readonly awarenessClientIds = new Set<number>()
  /**
   * Set once an update of this connection was refused. Yjs needs each client's clocks contiguous, so every later
   * update of the same Y.Doc depends on the refused one and could never integrate: they are all refused too, until
   * the client reconnects with a fresh Y.Doc.
   */
  desynced = false
  /**
   * Joined a room whose Y.Doc was not built yet and has not shown (by an empty sync step 1) that it holds nothing:
   * it is sent the room's sync step 1 when the Y.Doc gets built (Room.doc), so it sends whatever the room lacks.
   */
  awaitsServerStep1 = false
  private stateValue: ConnectionState
  private alive = true
  /**
   * The socket ws writes to, held corked until the tick ends so a tick's frames leave in one write. With it,
   * messages are framed here and written to it directly (see Broadcast); without it (tests with a stand-in socket),
   * they go through `socket.send`.
   */
  private readonly wire: SocketHold<Wire> | null

  constructor(
    readonly socket: WebSocket,
    readonly principal: Principal,
    access: Access,
    wire: Wire | null = null,
  ) {
    this.stateValue = access.kind === 'edit' ? { kind: 'editing' } : { kind: 'read-only', reason: 'viewer' }
    this.wire = wire === null ? null : new SocketHold(wire)
  }

  get state(): ConnectionState {
    return this.stateValue
  }

  get isOpen(): boolean {
    return this.stateValue.kind !== 'closing'
  }

  setAccess(access: Access): void {
    if (this.stateValue.kind === 'closing') return
    this.stateValue = access.kind === 'edit' ? { kind: 'editing' } : { kind: 'read-only', reason: 'viewer' }
  }

  /** Sends one binary message: a message of its own, or one framed once for a whole broadcast. */
  send(message: Uint8Array | Broadcast): void {
    if (this.stateValue.kind === 'closing') return
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.close(CloseCode.TooSlow)
      return
    }
    if (this.wire === null) {
      this.socket.send(message instanceof Broadcast ? message.message : message, { binary: true })
      return
    }
    // What ws.send does for an open socket with no extension: whole frames on the socket, so they interleave safely
    // with ws's own (pings, close). Once ws has begun closing (peer's close frame, or ours) it sends nothing more.
    if (this.socket.readyState !== WebSocket.OPEN) return
    writeCoalescer.hold(this.wire)
    const chunks = message instanceof Broadcast ? message.frame : binaryFrame(message)
    for (const chunk of chunks) this.wire.socket.write(chunk)
  }

  close(code: CloseCode, detail?: string): void {
    if (this.stateValue.kind === 'closing') return
    this.stateValue = { kind: 'closing', code }
    // Close reasons are limited to 123 bytes by RFC 6455.
    const reason = (detail ?? closeReason[code]).slice(0, 120)
    this.socket.close(code, reason)
  }

  /** Heartbeat: true when the previous ping was answered (then pings again). */
  checkAlive(): boolean {
    if (!this.alive) return false
    this.alive = false
    this.socket.ping()
    return true
  }

  markAlive(): void {
    this.alive = true
  }
}
