import type { Worker } from 'node:worker_threads'
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type DialectAdapter,
  type Driver,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'
import { type DirectoryLock, lockDirectory } from '../../directory-lock.ts'
import { typeScriptWorker } from '../../worker-thread.ts'
import { deserializeError, type WorkerOptions, type WorkerReply, type WorkerRequest } from './protocol.ts'

/**
 * Embedded PGlite on its own thread. PGlite runs each query as synchronous WebAssembly: on the event loop, a
 * query (about 1 ms, tens of ms when it writes pages) and every chain of awaited queries (a room's last version,
 * its compaction, the access reads of a connect) stalled every canvas of the process. Here the loop only posts a
 * message and is told the result; the thread runs at a low CPU priority (worker.ts), so on a shared core storage
 * takes the cycles the loop leaves.
 */
export class PGliteThread {
  private readonly worker: Worker
  private readonly pending = new Map<
    number,
    { resolve: (reply: WorkerReply) => void; reject: (e: Error) => void }
  >()
  private readonly ready: Promise<void>
  private nextId = 1
  private inFlight = 0
  /** Set once the thread failed or exited: every later request gets it. */
  private failure: Error | null = null
  /** The data directory's lock (none in memory), held until `close`; see directory-lock.ts. */
  private readonly lock: DirectoryLock | null

  /** Throws DirectoryInUseError when another process (or opener) holds the data directory. */
  constructor(
    options: WorkerOptions,
    private readonly warn: (message: string) => void,
  ) {
    this.lock =
      options.dataDir === null ? null : lockDirectory(options.dataDir, 'the embedded database directory')
    try {
      this.worker = typeScriptWorker(new URL('./worker.ts', import.meta.url), options)
    } catch (error) {
      // No thread, no close() to release the lock: release it here.
      this.lock?.release()
      throw error
    }
    // Idle, the thread does not keep the process alive; it does while someone waits for it (see `referenced`).
    this.worker.unref()
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.on('message', (message: WorkerReply) => {
        switch (message.kind) {
          case 'ready':
            resolve()
            return
          case 'open-failed':
            reject(this.fail(deserializeError(message.error, 'embedded database could not be opened')))
            return
          case 'warning':
            this.warn(message.message)
            return
          case 'result':
          case 'failed':
          case 'closed':
            this.settle(message.id, message)
            return
          default: {
            const never: never = message
            this.warn(`unknown message from the database thread: ${JSON.stringify(never)}`)
          }
        }
      })
      this.worker.on('error', (error) =>
        reject(this.fail(new Error('embedded database thread failed', { cause: error }))),
      )
      this.worker.on('exit', (code) =>
        reject(this.fail(new Error(`embedded database thread exited (code ${code})`))),
      )
    })
    // Failures also reach each request; this only keeps an unawaited `ready` from being an unhandled rejection.
    this.ready.catch(() => undefined)
  }

  async query(
    sql: string,
    params: readonly unknown[],
  ): Promise<{ rows: unknown[]; affectedRows: number | null }> {
    const reply = await this.request((id) => ({ kind: 'query', id, sql, params }))
    switch (reply.kind) {
      case 'result':
        return { rows: reply.rows, affectedRows: reply.affectedRows }
      case 'failed':
        throw deserializeError(reply.error)
      default:
        throw new Error(`unexpected reply ${reply.kind} to a query`)
    }
  }

  /** Closes the database (PGlite checkpoints and flushes), then ends the thread. */
  async close(): Promise<void> {
    try {
      if (this.failure === null) {
        const reply = await this.request((id) => ({ kind: 'close', id }))
        if (reply.kind === 'failed')
          throw deserializeError(reply.error, 'closing the embedded database failed')
      }
    } finally {
      // Even when PGlite failed to close: the failure is thrown to the caller, the thread does not outlive it.
      await this.worker.terminate()
      this.lock?.release()
    }
  }

  /** Resolves once the database is open; rejects with the reason it could not be. */
  opened(): Promise<void> {
    return this.referenced(() => this.ready)
  }

  private request(make: (id: number) => WorkerRequest): Promise<WorkerReply> {
    return this.referenced(async () => {
      await this.ready
      if (this.failure !== null) throw this.failure
      const id = this.nextId++
      const reply = new Promise<WorkerReply>((resolve, reject) => this.pending.set(id, { resolve, reject }))
      this.worker.postMessage(make(id))
      return reply
    })
  }

  /** The thread keeps the process alive while someone waits for it (its opening, or an answer), never when idle. */
  private async referenced<T>(wait: () => Promise<T>): Promise<T> {
    if (this.inFlight++ === 0) this.worker.ref()
    try {
      return await wait()
    } finally {
      if (--this.inFlight === 0) this.worker.unref()
    }
  }

  private settle(id: number, reply: WorkerReply): void {
    const waiter = this.pending.get(id)
    this.pending.delete(id)
    waiter?.resolve(reply)
  }

  private fail(error: Error): Error {
    this.failure ??= error
    for (const waiter of this.pending.values()) waiter.reject(this.failure)
    this.pending.clear()
    return this.failure
  }
}

/** Kysely on a PGliteThread: PostgreSQL's SQL dialect, one connection (PGlite has one session). */
export class PGliteThreadDialect implements Dialect {
  constructor(private readonly thread: PGliteThread) {}

  createAdapter(): DialectAdapter {
    return new PostgresAdapter()
  }

  createDriver(): Driver {
    return new PGliteThreadDriver(this.thread)
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler()
  }

  readonly createIntrospector: Dialect['createIntrospector'] = (db) => new PostgresIntrospector(db)
}

class PGliteThreadConnection implements DatabaseConnection {
  constructor(private readonly thread: PGliteThread) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.thread.query(compiledQuery.sql, compiledQuery.parameters)
    // Rows are whatever the SELECT returns; Kysely's typed builders give them their shape.
    const rows = result.rows as R[]
    return result.affectedRows === null ? { rows } : { rows, numAffectedRows: BigInt(result.affectedRows) }
  }

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize = 100,
  ): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(compiledQuery)
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) }
  }
}

/**
 * One connection, lent to one user at a time (a transaction's statements must not interleave with anyone
 * else's on PGlite's single session); the others queue in order.
 */
class PGliteThreadDriver implements Driver {
  private readonly connection: PGliteThreadConnection
  private readonly waiting: Array<(connection: DatabaseConnection) => void> = []
  private lent = false

  constructor(private readonly thread: PGliteThread) {
    this.connection = new PGliteThreadConnection(thread)
  }

  init(): Promise<void> {
    return this.thread.opened()
  }

  acquireConnection(): Promise<DatabaseConnection> {
    if (!this.lent) {
      this.lent = true
      return Promise.resolve(this.connection)
    }
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  async releaseConnection(): Promise<void> {
    const next = this.waiting.shift()
    if (next === undefined) this.lent = false
    else next(this.connection)
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : ''
    const access = settings.accessMode ? ` ${settings.accessMode}` : ''
    await connection.executeQuery(CompiledQuery.raw(`start transaction${isolation}${access}`))
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'))
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }

  destroy(): Promise<void> {
    return this.thread.close()
  }
}
