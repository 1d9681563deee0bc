import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'
import { serializeError, type WorkerOptions, type WorkerReply, type WorkerRequest } from './protocol.ts'

/**
 * The embedded database's own thread (see thread.ts): PGlite runs its queries as synchronous WebAssembly, and here
 * they stall nothing but this thread. Requests are answered in the order they arrive; PGlite runs one at a time.
 */

/**
 * Storage work yields the CPU to the event loop: on Linux this thread runs at the lowest priority, so a query never
 * delays the relay of an edit on a shared core (it still gets every cycle the event loop leaves idle).
 */
const THREAD_NICENESS = 19

function portToLoop(): NonNullable<typeof parentPort> {
  if (parentPort === null) throw new Error('persistence/sql/pglite/worker.ts runs as a worker thread')
  return parentPort
}
const port = portToLoop()
const reply = (message: WorkerReply): void => port.postMessage(message)

function lowerPriority(): void {
  if (process.platform !== 'linux') return
  try {
    // "<pid>/task/<tid>": setpriority(2) with a thread id changes that thread alone.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1))
    setPriority(tid, THREAD_NICENESS)
  } catch (error) {
    reply({ kind: 'warning', message: `could not lower the database thread's priority: ${String(error)}` })
  }
}

async function serve(options: WorkerOptions): Promise<void> {
  lowerPriority()
  let db: PGlite
  try {
    db = options.dataDir === null ? new PGlite() : new PGlite(options.dataDir)
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
            reply({
              kind: 'result',
              id: request.id,
              rows: result.rows,
              affectedRows: result.affectedRows ?? null,
            }),
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
