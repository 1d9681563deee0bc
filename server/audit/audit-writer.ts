import type { AuditRow } from '../../persistence/sql/audit-store.ts'
import type { JsonObject } from '../../schema/database.ts'
import type { Logger } from '../logger.ts'

/** One audited action. Ids are UUIDs (the audit_logs columns are uuid); `changes` never holds secrets. */
export interface AuditEvent {
  /** Dotted verb, e.g. `auth.login`, `canvas.delete`, `project.member_add`. */
  readonly action: string
  /** `user`, `organization`, `project`, `canvas`, ... */
  readonly resourceType: string
  readonly resourceId: string | null
  /** Who acted; null when nobody is signed in (e.g. a failed login for an unknown email). */
  readonly userId: string | null
  readonly organizationId: string | null
  readonly changes?: JsonObject | null
  readonly ipAddress?: string | null
  readonly userAgent?: string | null
}

/**
 * What features call to audit something. It never blocks and never throws: rows are written off the request path,
 * storage failures are retried and reported by the writer.
 */
export interface AuditSink {
  audit(event: AuditEvent): void
}

/** Where rows go (AuditLogStore in production, a fake in tests). */
export interface AuditRowStore {
  insertMany(rows: readonly AuditRow[]): Promise<void>
}

export interface AuditWriterOptions {
  /** Queued rows are written at most this long after they were queued... */
  readonly flushIntervalMs: number
  /** ...or as soon as this many rows wait. */
  readonly batchSize: number
  readonly log: Logger
  /** Past this many unwritten rows (storage down for long), new events go to the error log instead. */
  readonly maxQueued?: number
  readonly now?: () => Date
}

/** Rows per INSERT: 9 parameters each stays far below PostgreSQL's 65535 bind parameters. */
const MAX_ROWS_PER_INSERT = 1000
const DEFAULT_MAX_QUEUED = 100_000
/** Attempts of the final flush at shutdown before the remaining rows are written to the error log. */
const CLOSE_ATTEMPTS = 3

/**
 * Batches audit rows off the request path. Invariants:
 * - a row leaves the queue only after the INSERT containing it committed, so a failed write loses nothing and is
 *   retried on the next flush;
 * - writes are serialized (one INSERT at a time, in queue order);
 * - close() drains the queue, so a graceful stop loses no row; rows it still cannot write are logged in full.
 */
export class AuditWriter implements AuditSink {
  private readonly queue: AuditRow[] = []
  private timer: NodeJS.Timeout | null = null
  private tail: Promise<void> = Promise.resolve()
  private closed = false
  private readonly maxQueued: number
  private readonly now: () => Date

  constructor(
    private readonly store: AuditRowStore,
    private readonly options: AuditWriterOptions,
  ) {
    this.maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED
    this.now = options.now ?? (() => new Date())
  }

  /** Rows queued and not yet written. */
  get pending(): number {
    return this.queue.length
  }

  audit(event: AuditEvent): void {
    const row = toRow(event, this.now())
    if (this.queue.length >= this.maxQueued) {
      this.options.log.error(
        { audit: row },
        'audit queue full (storage failing); event written to this log only',
      )
      return
    }
    this.queue.push(row)
    if (this.closed) {
      this.options.log.warn({ action: row.action }, 'audit event after shutdown began; writing it now')
      void this.flushLogged()
    } else if (this.queue.length >= this.options.batchSize) {
      void this.flushLogged()
    } else {
      this.schedule()
    }
  }

  /** Writes every row queued so far (and any queued meanwhile); rejects when a write fails (rows stay queued). */
  flush(): Promise<void> {
    const run = this.tail.then(() => this.drain())
    // The chain continues after a failure; this caller sees the error.
    this.tail = run.catch(() => undefined)
    return run
  }

  /** Stops the timer and drains the queue; throws (after logging every unwritten row) when storage keeps failing. */
  async close(): Promise<void> {
    this.closed = true
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    let lastError: unknown
    for (let attempt = 1; attempt <= CLOSE_ATTEMPTS; attempt++) {
      try {
        await this.flush()
        return
      } catch (error) {
        lastError = error
        this.options.log.error(
          { err: error, attempt, pending: this.queue.length },
          'final audit flush failed',
        )
      }
    }
    for (const row of this.queue) this.options.log.error({ audit: row }, 'audit row could not be stored')
    throw new Error(`${this.queue.length} audit rows could not be stored`, { cause: lastError })
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, MAX_ROWS_PER_INSERT)
      await this.store.insertMany(batch)
      // Only drain() removes rows, and drains are serialized: the first batch.length rows are this batch.
      this.queue.splice(0, batch.length)
    }
  }

  private schedule(): void {
    if (this.timer !== null || this.closed) return
    this.timer = setTimeout(() => {
      this.timer = null
      void this.flushLogged()
    }, this.options.flushIntervalMs)
    this.timer.unref()
  }

  private async flushLogged(): Promise<void> {
    try {
      await this.flush()
    } catch (error) {
      this.options.log.error(
        { err: error, pending: this.queue.length },
        'audit write failed; rows stay queued and are retried',
      )
      this.schedule()
    }
  }
}

function toRow(event: AuditEvent, createdAt: Date): AuditRow {
  return {
    userId: event.userId,
    organizationId: event.organizationId,
    action: event.action,
    resourceType: event.resourceType,
    resourceId: event.resourceId,
    changes: event.changes ?? null,
    ipAddress: event.ipAddress ?? null,
    userAgent: event.userAgent ?? null,
    createdAt,
  }
}
