/**
 * A lean Yjs collaboration client for load generation, speaking either the y-websocket protocol
 * (Jabiru, the reference server, the relay) or Hocuspocus' wire format. It does what a stock
 * provider does on the wire (sync step 1 on open, answers the server's step 1 with step 2, sends
 * document updates and awareness) but never applies received updates to a document: receivers
 * only read the send stamps in them. Senders produce real Yjs updates (byte-identical to a Y.Doc's,
 * see map-update.ts): each sets its own key of the root map `m`.
 */
import WebSocket from 'ws'
import { AwarenessEncoder, MapSetEncoder } from '../protocol/map-update.ts'
import { nowMicros, type Stamp, scanStamps } from '../protocol/stamp.ts'
import {
  encodeAwareness,
  encodeHocuspocusAuth,
  encodeSync,
  type Flavor,
  Msg,
  readHead,
  SyncStep,
} from '../protocol/wire.ts'

const EMPTY_STATE_VECTOR = new Uint8Array([0])
const EMPTY_UPDATE = new Uint8Array([0, 0])

export interface Target {
  readonly flavor: Flavor
  /** WebSocket URL for a document (y-websocket: the room in the path; Hocuspocus: one URL for all). */
  readonly url: string
  readonly docName: string
  /** Hocuspocus auth token (Jabiru's token travels in the URL). */
  readonly token: string
}

export interface RawClientOptions {
  /** This client sends updates and awareness (it gets a Yjs client id). */
  readonly sender: boolean
  /** Called for each stamp found in a received document update (own stamps excluded). */
  readonly onUpdateStamp?: (stamp: Stamp, recvMicros: number) => void
  /** Called for each stamp found in a received awareness update (own stamps excluded). */
  readonly onAwarenessStamp?: (stamp: Stamp, recvMicros: number) => void
  /** Marker text a complete sync step 2 must contain (S5: the stored canvas's end marker). */
  readonly expectMarker?: Buffer
}

export class RawClient {
  readonly target: Target
  readonly id: number
  private readonly options: RawClientOptions
  private ws: WebSocket | null = null
  private mapSet: MapSetEncoder | null = null
  private awareness: AwarenessEncoder | null = null
  private seq = 0
  openedAt = 0
  syncedAt = 0
  step2Bytes = 0
  step2HadMarker = false
  closedWith: { code: number; reason: string } | null = null

  constructor(target: Target, id: number, options: RawClientOptions) {
    this.target = target
    this.id = id
    this.options = options
  }

  get isOpen(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN
  }

  /** Opens the socket and resolves once the server's sync step 2 arrived (the client is synced). */
  connect(timeoutMs: number): Promise<void> {
    const startedAt = performance.now()
    const { flavor, docName } = this.target
    if (this.options.sender) {
      const yClientId = Math.floor(Math.random() * 0xffffffff)
      this.mapSet = new MapSetEncoder(yClientId, 'm', `c${this.id}`)
      this.awareness = new AwarenessEncoder(yClientId)
    }
    return new Promise<void>((resolve, reject) => {
      let settled = false
      const fail = (err: Error): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        reject(err)
      }
      const timer = setTimeout(() => {
        fail(new Error(`${docName}: not synced within ${timeoutMs} ms`))
        this.ws?.terminate()
      }, timeoutMs)
      const ws = new WebSocket(this.target.url)
      this.ws = ws
      ws.binaryType = 'nodebuffer'
      ws.on('open', () => {
        this.openedAt = performance.now() - startedAt
        if (flavor === 'hocuspocus') ws.send(encodeHocuspocusAuth(docName, this.target.token))
        ws.send(encodeSync(flavor, docName, SyncStep.Step1, EMPTY_STATE_VECTOR))
      })
      ws.on('message', (data: Buffer) => {
        const recv = nowMicros()
        const head = readHead(flavor, data)
        if (head.type === Msg.Sync) {
          if (head.step === SyncStep.Update) {
            this.scan(data, head.offset, recv, this.options.onUpdateStamp)
          } else if (head.step === SyncStep.Step1) {
            // The server's step 1 comes right after connecting, before this client sent anything.
            ws.send(encodeSync(flavor, docName, SyncStep.Step2, EMPTY_UPDATE))
          } else if (head.step === SyncStep.Step2 && !settled) {
            this.step2Bytes = data.length - head.offset
            if (this.options.expectMarker) {
              this.step2HadMarker = data.indexOf(this.options.expectMarker, head.offset) !== -1
            }
            this.syncedAt = performance.now() - startedAt
            settled = true
            clearTimeout(timer)
            resolve()
          }
        } else if (head.type === Msg.Awareness) {
          this.scan(data, head.offset, recv, this.options.onAwarenessStamp)
        }
      })
      ws.on('close', (code: number, reason: Buffer) => {
        this.closedWith = { code, reason: reason.toString() }
        fail(new Error(`${docName}: closed before synced (${code} ${reason.toString()})`))
      })
      ws.on('unexpected-response', (_req, res) => {
        fail(new Error(`${docName}: upgrade refused with HTTP ${res.statusCode}`))
        ws.terminate()
      })
      ws.on('error', (err: Error) => {
        fail(new Error(`${docName}: ${err.message}`))
      })
    })
  }

  private scan(
    data: Buffer,
    offset: number,
    recv: number,
    cb: ((stamp: Stamp, recvMicros: number) => void) | undefined,
  ): void {
    if (!cb) return
    scanStamps(data, offset, (s) => {
      if (s.sender !== this.id) cb(s, recv)
    })
  }

  /** Sets this client's map entry to a stamped value (one Yjs update) and sends it. Returns the stamp time. */
  sendStamped(padding: string): number {
    const mapSet = this.mapSet
    const ws = this.ws
    if (!mapSet || !ws) throw new Error('sendStamped needs a connected sender client')
    const micros = nowMicros()
    const update = mapSet.next(`@@T${micros},${this.id},${this.seq++};${padding}`)
    ws.send(encodeSync(this.target.flavor, this.target.docName, SyncStep.Update, update))
    return micros
  }

  /** Sends an arbitrary Yjs update (used to write stored canvases). */
  sendUpdate(update: Uint8Array): void {
    if (!this.ws) throw new Error('sendUpdate needs a connected client')
    this.ws.send(encodeSync(this.target.flavor, this.target.docName, SyncStep.Update, update))
  }

  /** Sets a stamped cursor as this client's awareness state and sends it. */
  sendAwareness(x: number, y: number): number {
    const awareness = this.awareness
    const ws = this.ws
    if (!awareness || !ws) throw new Error('sendAwareness needs a connected sender client')
    const micros = nowMicros()
    const update = awareness.next({ cursor: { x, y }, t: `@@T${micros},${this.id},${this.seq++};` })
    ws.send(encodeAwareness(this.target.flavor, this.target.docName, update))
    return micros
  }

  /** Bytes queued in the socket but not yet written (back-pressure indicator). */
  get bufferedAmount(): number {
    return this.ws?.bufferedAmount ?? 0
  }

  /** Closes the socket and resolves when it is closed (or after `timeoutMs`, terminating it). */
  close(timeoutMs = 2000): Promise<void> {
    const ws = this.ws
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate()
        resolve()
      }, timeoutMs)
      ws.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      ws.close()
    })
  }

  /** Drops the socket at once, without a close handshake. */
  terminate(): void {
    this.ws?.terminate()
  }
}
