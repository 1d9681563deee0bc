import type { AuthorizationCache, ReadTicket } from './authorization-cache.ts'

/**
 * Concurrent identical reads share one (a connection storm by one user reads their session once, not once per
 * socket). A read is joined only while nothing was invalidated since it started: an upgrade that begins after an
 * access change was announced here never receives an answer read before that change. Every joiner gets the
 * shared ticket's time as its read time, which is when the reads really started. Holds only reads in flight.
 */
export class SharedReads<T> {
  private readonly flights = new Map<string, { readonly ticket: ReadTicket; readonly result: Promise<T> }>()

  constructor(private readonly cache: AuthorizationCache) {}

  run(key: string, read: (ticket: ReadTicket) => Promise<T>): Promise<T> {
    const flight = this.flights.get(key)
    if (flight !== undefined && this.cache.isCurrent(flight.ticket)) return flight.result
    const ticket = this.cache.ticket()
    const result = read(ticket)
    this.flights.set(key, { ticket, result })
    // Callers handle the result's rejection; this only forgets the flight either way.
    const forget = () => {
      if (this.flights.get(key)?.result === result) this.flights.delete(key)
    }
    result.then(forget, forget)
    return result
  }

  get size(): number {
    return this.flights.size
  }
}
