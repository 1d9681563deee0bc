import type { DocumentStore, JournalAppend } from '../../persistence/ports.ts'

/** Where accepted updates go before anyone else sees them. */
export interface Journal {
  /** Resolves with the entry's seq once it is durably committed. */
  append(entry: JournalAppend): Promise<number>
  /** Resolves when everything appended so far is committed (or failed). */
  flush(): Promise<void>
  readonly durable: boolean
}

interface Pending {
  readonly entry: JournalAppend
  readonly resolve: (seq: number) => void
  readonly reject: (error: unknown) => void
}

export interface GroupCommitOptions {
  /** Most appends one commit takes; the rest wait for the next. */
  readonly maxBatch?: number
  /** An append arriving at least this long after the previous one is committed at once (see `append`). */
  readonly quietMs?: number
  /** Milliseconds on a monotonic clock; tests pass their own. */
  readonly now?: () => number
}

/** A quiet spell after which an append commits at once: under load appends arrive well under a millisecond apart. */
const DEFAULT_QUIET_MS = 2

/**
 * Group commit: appends that arrive while a commit is in flight are batched into the next single commit, so
 * throughput grows with load while an idle server commits each update at once. Batches commit strictly one after
 * another, so seqs of one canvas resolve in the order their appends were made.
 */
export class GroupCommitJournal implements Journal {
  readonly durable = true
  private queue: Pending[] = []
  private draining: Promise<void> | null = null
  private readonly maxBatch: number
  private readonly quietMs: number
  private readonly now: () => number
  private lastAppendAt = Number.NEGATIVE_INFINITY

  constructor(
    private readonly store: Pick<DocumentStore, 'appendJournal'>,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1000
    this.quietMs = options.quietMs ?? DEFAULT_QUIET_MS
    this.now = options.now ?? (() => performance.now())
  }

  /**
   * When no commit is in flight, the commit starts either right here or in an immediate:
   * - after a quiet spell, right here: the update is alone, and waiting for the immediate (the rest of this I/O
   *   phase) would only delay it, by up to a few hundred microseconds at the tail when other sockets are read first;
   * - otherwise in an immediate, so that frames read from other sockets in this same I/O phase join the batch (ws
   *   emits each socket's frames from its own callback, and microtasks run between callbacks, so nothing shorter
   *   than an immediate gathers them).
   * Either way a commit in flight gathers what arrives meanwhile for the next one.
   */
  append(entry: JournalAppend): Promise<number> {
    const now = this.now()
    const quiet = now - this.lastAppendAt >= this.quietMs
    this.lastAppendAt = now
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, resolve, reject })
      if (this.draining !== null) return
      // drain() reaches its first await before it could reset `draining`, so the assignment below is never stale.
      this.draining = quiet
        ? this.drain()
        : new Promise((done) => setImmediate(() => this.drain().then(done)))
    })
  }

  async flush(): Promise<void> {
    while (this.draining !== null) await this.draining
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch)
      try {
        const seqs = await this.store.appendJournal(batch.map((pending) => pending.entry))
        for (const [i, pending] of batch.entries()) pending.resolve(seqs[i] ?? Number.NaN)
      } catch (error) {
        for (const pending of batch) pending.reject(error)
      }
    }
    this.draining = null
  }
}

/** BENCH_DISABLE_JOURNAL=1 only: nothing is stored; measures what durability costs. */
export class DisabledJournal implements Journal {
  readonly durable = false
  append(): Promise<number> {
    return Promise.resolve(0)
  }
  flush(): Promise<void> {
    return Promise.resolve()
  }
}
