/**
 * A size-bounded map whose entries expire: least recently used entries are evicted past `maxEntries`, expired ones
 * are dropped when read. Times are whatever clock the caller uses (monotonic ms in the authorization cache).
 */
export class ExpiringLru<K, V> {
  private readonly entries = new Map<K, { readonly value: V; readonly expiresAt: number }>()

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new Error('maxEntries must be a positive integer')
  }

  get size(): number {
    return this.entries.size
  }

  /** The live value for `key` at time `now` (and marks it recently used), or undefined. */
  get(key: K, now: number): V | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    this.entries.delete(key)
    if (entry.expiresAt <= now) return undefined
    // Re-inserted at the end: Map iteration order is then least recently used first.
    this.entries.set(key, entry)
    return entry.value
  }

  set(key: K, value: V, expiresAt: number): void {
    this.entries.delete(key)
    this.entries.set(key, { value, expiresAt })
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break
      this.entries.delete(oldest)
    }
  }

  delete(key: K): void {
    this.entries.delete(key)
  }

  /** Drops every entry whose value matches. */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key)
  }

  clear(): void {
    this.entries.clear()
  }
}
