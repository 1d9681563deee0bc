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

/**
 * Group commit: appends that arrive while a commit is in flight are batched into the next single commit, so
 * throughput grows with load while an idle server commits each update at once. Batches commit strictly one after
 * another, so seqs of one canvas resolve in the order their appends were made.
 */
export class GroupCommitJournal implements Journal {
  readonly durable = true
  private queue: Pending[] = []
  private draining: Promise<void> | null = null

  constructor(
    private readonly store: DocumentStore,
    private readonly maxBatch = 1000,
  ) {}

  append(entry: JournalAppend): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entry, resolve, reject })
      // setImmediate: frames read from the sockets in this I/O phase join the same batch.
      if (this.draining === null)
        this.draining = new Promise((done) => setImmediate(() => this.drain().then(done)))
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
