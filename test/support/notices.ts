import * as decoding from 'lib0/decoding'
import type { WebsocketProvider } from 'y-websocket'
import { MessageType, type ServerNotice } from '../../shared/protocol.ts'

/** Collects the server's notices on a stock provider (the documented way to receive them). */
export function collectNotices(provider: WebsocketProvider): ServerNotice[] {
  const notices: ServerNotice[] = []
  provider.messageHandlers[MessageType.Notice] = (_encoder, decoder) => {
    notices.push(JSON.parse(decoding.readVarString(decoder)) as ServerNotice)
  }
  return notices
}
