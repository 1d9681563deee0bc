interface Waiter<V> {
  readonly resolve: (value: V) => void
  readonly reject: (error: unknown) => void
}

/**
 * Point reads by key made in the same turn of the event loop, answered by one query for all their keys. A connect
 * storm loads hundreds of cold canvases at once, each with its own point reads; on embedded PGlite every query is a
 * round trip to the database thread plus a parse, plan and execute of its own, on the core the event loop needs.
 *
 * The query starts in the `setImmediate` after the first read of a turn: reads made while the loop handles the same
 * batch of I/O join it, and none waits for a timer. Concurrent reads of one key share the answer. A read never
 * starts earlier than it would alone, so it sees every write that committed before it was asked for.
 */
export class BatchedReads<V> {
  private pending = new Map<string, Waiter<V>[]>()
  private scheduled = false

  /**
   * @param readMany answers some keys; a key it leaves out reads as `absent`.
   * @param maxKeys keys per query; a larger turn is split into several queries.
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
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(this.flush)
      }
    })
  }

  private readonly flush = (): void => {
    this.scheduled = false
    const batch = [...this.pending]
    this.pending = new Map()
    for (let start = 0; start < batch.length; start += this.maxKeys) {
      const chunk = batch.slice(start, start + this.maxKeys)
      this.readMany(chunk.map(([key]) => key)).then(
        (found) => {
          for (const [key, waiters] of chunk) {
            const value = found.has(key) ? (found.get(key) as V) : this.absent
            for (const waiter of waiters) waiter.resolve(value)
          }
        },
        (error: unknown) => {
          for (const [, waiters] of chunk) for (const waiter of waiters) waiter.reject(error)
        },
      )
    }
  }
}
