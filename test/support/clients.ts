import { WebSocket } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { collectNotices } from './notices.ts'
import { waitFor } from './wait.ts'

// Each y-websocket provider adds a process 'exit' listener; suites open dozens of clients.
process.setMaxListeners(200)

export interface CollabClient {
  readonly doc: Y.Doc
  readonly provider: WebsocketProvider
  destroy(): void
}

/** A stock y-websocket client (the library browsers use), connected with a token. */
export function connectClient(wsUrl: string, canvasId: string, token: string): CollabClient {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(wsUrl, canvasId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  })
  // Receive server notices the documented way (stock clients otherwise log them as unknown messages).
  collectNotices(provider)
  return {
    doc,
    provider,
    destroy() {
      provider.destroy()
      doc.destroy()
    },
  }
}

export async function connectSynced(wsUrl: string, canvasId: string, token: string): Promise<CollabClient> {
  const client = connectClient(wsUrl, canvasId, token)
  await waitFor('client to sync', () => (client.provider.synced ? true : undefined), 20_000)
  return client
}

export function stateOf(doc: Y.Doc): string {
  return Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64')
}

/** Waits until every doc has the same state vector and content as the first. */
export async function waitConverged(docs: readonly Y.Doc[], timeoutMs = 20_000): Promise<void> {
  await waitFor(
    'documents to converge',
    () => {
      const [first, ...rest] = docs
      if (first === undefined) return true
      const vector = Buffer.from(Y.encodeStateVector(first)).toString('base64')
      return rest.every((doc) => Buffer.from(Y.encodeStateVector(doc)).toString('base64') === vector)
        ? true
        : undefined
    },
    timeoutMs,
  )
}
