interface Waiter<V> {
  readonly resolve: (value: V) => void
  readonly reject: (error: unknown) => void
}

/**
 * Point reads by key, answered by one query for many keys. A connect storm loads hundreds of cold canvases at once,
 * each with its own point reads; on embedded PGlite every query is a round trip to the database thread plus a parse,
 * plan and execute of its own, on the core the event loop needs.
 *
 * Reads wait for each other only while this reader already has a query out: at most one batch is in flight, and the
 * reads asked for meanwhile go together in the next one, as soon as it settles. A lone read starts in the
 * `setImmediate` after it was asked (reads made while the loop handles the same batch of I/O join it; none waits for
 * a timer). Under a storm the upgrades' reads arrive one per turn, spread over the time a query takes; gating on the
 * query in flight is what gathers them (bench S1: one query per canvas before, the database thread using as much of
 * the core as the event loop).
 *
 * The cost: a slow query delays the reads queued behind it, which on PostgreSQL could have run beside it on other
 * pool connections. The reads batched here are index lookups that only DDL would block, and DDL blocks them all.
 *
 * Freshness: concurrent reads of one key share an answer only if they were asked before its query started; a read
 * asked while a query for its key is out waits for the next one. So a read never starts earlier than it would
 * alone, and it sees every write that committed before it was asked for.
 */
export class BatchedReads<V> {
  private pending = new Map<string, Waiter<V>[]>()
  private scheduled = false
  /** Queries of the current batch still out (a batch over `maxKeys` keys is several). */
  private inFlight = 0

  /**
   * @param readMany answers some keys; a key it leaves out reads as `absent`.
   * @param maxKeys keys per query; a larger batch is split into several queries.
   */
  constructor(
    private readonly readMany: (keys: readonly string[]) => Promise<ReadonlyMap<string, V>>,
    private readonly absent: V,
    private readonly maxKeys = 500,
  ) {}

  read(key: string): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      const waiters = this.pending.get(key)
      if (waiters === undefined) this.pending.set(key, [{ resolve, reject }])
      else waiters.push({ resolve, reject })
      this.schedule()
    })
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight > 0 || this.pending.size === 0) return
    this.scheduled = true
    setImmediate(this.flush)
  }

  private readonly flush = (): void => {
    this.scheduled = false
    const batch = [...this.pending]
    this.pending = new Map()
    for (let start = 0; start < batch.length; start += this.maxKeys) {
      const chunk = batch.slice(start, start + this.maxKeys)
      this.inFlight++
      this.query(chunk.map(([key]) => key)).then(
        (found) => {
          this.settled()
          for (const [key, waiters] of chunk) {
            const value = found.has(key) ? (found.get(key) as V) : this.absent
            for (const waiter of waiters) waiter.resolve(value)
          }
        },
        (error: unknown) => {
          this.settled()
          for (const [, waiters] of chunk) for (const waiter of waiters) waiter.reject(error)
        },
      )
    }
  }

  /** readMany as a promise even if it throws: a query that never settles would hold every later read. */
  private query(keys: readonly string[]): Promise<ReadonlyMap<string, V>> {
    try {
      return this.readMany(keys)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /** One query of a batch is back; once all are, the reads that waited meanwhile go out. */
  private settled(): void {
    this.inFlight--
    this.schedule()
  }
}
