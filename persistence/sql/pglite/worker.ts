import { parentPort, workerData } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'
import { lowerThisThreadPriority } from '../../worker-thread.ts'
import { nativeByteaCodec, transferableBuffers } from './bytea.ts'
import { serializeError, type WorkerOptions, type WorkerReply, type WorkerRequest } from './protocol.ts'

/**
 * The embedded database's own thread (see thread.ts): PGlite runs its queries as synchronous WebAssembly, and here
 * they stall nothing but this thread. Requests are answered in the order they arrive; PGlite runs one at a time.
 */

function portToLoop(): NonNullable<typeof parentPort> {
  if (parentPort === null) throw new Error('persistence/sql/pglite/worker.ts runs as a worker thread')
  return parentPort
}
const port = portToLoop()
const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []): void =>
  port.postMessage(message, transfer)

/**
 * PostgreSQL settings on top of PGlite's own. shared_buffers: PostgreSQL's default 128 MB is all touched as the
 * database starts, so it is resident for the life of the process. 48 MB held S5 (cold loads) and S10 (version
 * replay) as they were while a restarted server's RSS went from 486 to 373 MB; 16 MB slowed replay by half (bench
 * results `full-partial-S5S10-pglite-shared-buffers-*`).
 */
const PGLITE_SETTINGS: readonly string[] = ['-c', 'shared_buffers=48MB']

async function serve(options: WorkerOptions): Promise<void> {
  // Storage work takes only the cycles the event loop leaves idle: a query never delays the relay of an edit.
  const notLowered = lowerThisThreadPriority()
  if (notLowered !== null) reply({ kind: 'warning', message: `database thread: ${notLowered}` })
  let db: PGlite
  try {
    const settings = { ...nativeByteaCodec, startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS] }
    db = options.dataDir === null ? new PGlite(settings) : new PGlite(options.dataDir, settings)
    await db.waitReady
  } catch (error) {
    reply({ kind: 'open-failed', error: serializeError(error) })
    return
  }
  port.on('message', (request: WorkerRequest) => {
    switch (request.kind) {
      case 'query':
        db.query(request.sql, [...request.params]).then(
          (result) =>
            reply(
              {
                kind: 'result',
                id: request.id,
                rows: result.rows,
                affectedRows: result.affectedRows ?? null,
              },
              // Moved, not copied: the rows' byte values are nobody else's (see bytea.ts).
              transferableBuffers(result.rows),
            ),
          (error: unknown) => reply({ kind: 'failed', id: request.id, error: serializeError(error) }),
        )
        return
      case 'close':
        db.close().then(
          () => reply({ kind: 'closed', id: request.id }),
          (error: unknown) => reply({ kind: 'failed', id: request.id, error: serializeError(error) }),
        )
        return
      default: {
        const never: never = request
        throw new Error(`unknown request ${JSON.stringify(never)}`)
      }
    }
  })
  reply({ kind: 'ready' })
}

function readOptions(data: unknown): WorkerOptions {
  if (typeof data === 'object' && data !== null && 'dataDir' in data) {
    const { dataDir } = data
    if (dataDir === null || typeof dataDir === 'string') return { dataDir }
  }
  throw new Error('the database thread needs workerData { dataDir: string | null }')
}

void serve(readOptions(workerData))
