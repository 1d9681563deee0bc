import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { WebSocket } from 'ws'
import type { WebsocketProvider } from 'y-websocket'
import { MessageType, type ServerNotice, SyncMessageType } from '../../shared/protocol.ts'

/** How a socket ended, and when (performance.now()). */
export interface Closed {
  readonly code: number
  readonly reason: string
  readonly at: number
}

/** A raw collaboration socket that records the notices it receives and how it closed. */
export interface CollabSocket {
  readonly socket: WebSocket
  readonly notices: ServerNotice[]
  readonly closed: Promise<Closed>
  readonly isOpen: () => boolean
  /** Sends a y-websocket sync `update` message. */
  sendUpdate(update: Uint8Array): void
  close(): void
}

export function collabUrl(wsUrl: string, canvasId: string, query: Record<string, string>): string {
  const params = new URLSearchParams(query).toString()
  return `${wsUrl}/${canvasId}${params === '' ? '' : `?${params}`}`
}

/** The notice in a server frame, or null for other messages. */
export function readNotice(frame: Uint8Array): ServerNotice | null {
  const decoder = decoding.createDecoder(frame)
  if (decoding.readVarUint(decoder) !== MessageType.Notice) return null
  return JSON.parse(decoding.readVarString(decoder)) as ServerNotice
}

export function updateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.Sync)
  encoding.writeVarUint(encoder, SyncMessageType.Update)
  encoding.writeVarUint8Array(encoder, update)
  return encoding.toUint8Array(encoder)
}

/** Opens a socket; rejects with `HTTP <status>` when the upgrade is refused. */
export function openCollab(
  wsUrl: string,
  canvasId: string,
  query: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<CollabSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(collabUrl(wsUrl, canvasId, query), { headers })
    const notices: ServerNotice[] = []
    let open = false
    const closed = new Promise<Closed>((done) =>
      socket.once('close', (code, reason) => {
        open = false
        done({ code, reason: reason.toString('utf8'), at: performance.now() })
      }),
    )
    socket.on('message', (data: Buffer) => {
      const notice = readNotice(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
      if (notice !== null) notices.push(notice)
    })
    socket.once('open', () => {
      open = true
      resolve({
        socket,
        notices,
        closed,
        isOpen: () => open,
        sendUpdate: (update) => socket.send(updateMessage(update)),
        close: () => socket.close(),
      })
    })
    socket.once('unexpected-response', (_request, response) => {
      reject(new Error(`HTTP ${response.statusCode}`))
      socket.terminate()
    })
    socket.once('error', (error) => {
      if (!open) reject(error)
    })
  })
}

/** The HTTP status of a refused upgrade (rejects if the socket opens). */
export function upgradeStatus(
  wsUrl: string,
  canvasId: string,
  query: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<number> {
  return openCollab(wsUrl, canvasId, query, headers).then(
    (opened) => {
      opened.close()
      throw new Error('the upgrade was accepted although it should be refused')
    },
    (error: unknown) => {
      const match = /^HTTP (\d+)$/.exec(error instanceof Error ? error.message : '')
      if (match === null) throw error
      return Number(match[1])
    },
  )
}

/** Records the notices a stock y-websocket client receives (stock clients ignore type 100 otherwise). */
export function captureNotices(provider: WebsocketProvider): ServerNotice[] {
  const notices: ServerNotice[] = []
  provider.messageHandlers[MessageType.Notice] = (_encoder, decoder) => {
    notices.push(JSON.parse(decoding.readVarString(decoder)) as ServerNotice)
  }
  return notices
}
