/**
 * Before measuring Jabiru: is it there, does it start, and does a stock y-websocket client (1.5.4)
 * sync an edit through it? If not, the bench runs the peers only and says why.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { waitFor } from '../lib/time.ts'
import { JABIRU } from '../servers/catalog.ts'
import { jabiruAvailable, launch, type RunningServer } from '../servers/launch.ts'

export interface JabiruStatus {
  readonly available: boolean
  readonly note?: string
  /**
   * A DATA_DIR Jabiru has initialized (database created and migrated). Each Jabiru start copies it,
   * which saves the ~4 s of creating the embedded database from scratch on every start.
   */
  readonly dataTemplate?: string
}

const smoke = async (server: RunningServer, runId: string): Promise<void> => {
  const [target] = await server.canvases([`${runId}-smoke`], runId)
  if (!target) throw new Error('no canvas created')
  const session = await server.jabiruSession(runId)
  const docs = [new Y.Doc(), new Y.Doc()]
  const providers = docs.map(
    (doc) =>
      new WebsocketProvider(`ws://127.0.0.1:${server.port}/collab`, target.docName, doc, {
        params: { token: session.token },
        WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
        disableBc: true,
      }),
  )
  try {
    await waitFor('both stock providers synced', () => providers.every((p) => p.synced), 15_000)
    docs[0]!.getMap('m').set('hello', 'world')
    await waitFor(
      'the edit to reach the second provider',
      () => docs[1]!.getMap('m').get('hello') === 'world',
      5_000,
    )
  } finally {
    for (const p of providers) p.destroy()
    for (const d of docs) d.destroy()
  }
}

export const checkJabiru = async (workDir: string, log: (msg: string) => void): Promise<JabiruStatus> => {
  if (!jabiruAvailable()) return { available: false, note: 'server/main.ts does not exist yet' }
  mkdirSync(workDir, { recursive: true })
  let server: RunningServer | null = null
  try {
    const t0 = performance.now()
    server = await launch(JABIRU, { dataDir: join(workDir, 'data'), logFile: join(workDir, 'server.log') })
    log(`Jabiru ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    await smoke(server, `check${Date.now().toString(36)}`)
    await server.stop()
    return { available: true, dataTemplate: join(workDir, 'data') }
  } catch (err) {
    return {
      available: false,
      note: `Jabiru failed the start-up check: ${err instanceof Error ? err.message : String(err)}`,
    }
  } finally {
    await server?.stop()
  }
}
