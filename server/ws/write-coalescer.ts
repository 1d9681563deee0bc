/** The part of a socket that batches writes: while corked, writes queue and leave together on the last uncork. */
export interface Corkable {
  cork(): void
  uncork(): void
}

/**
 * One socket's place in the coalescer: `held` is true from its first frame of a tick until the flush. The flag
 * lives here, not in a Set of the coalescer, because a long-lived Set that fills and empties every tick reallocates
 * its hash table as it grows, shrinks and is cleared: at 20,000 updates/s those tables outlived young-generation
 * collections and were a third of what reached the old generation (sampling heap profile of S2).
 */
export class SocketHold<S extends Corkable = Corkable> {
  held = false
  constructor(readonly socket: S) {}
}

/**
 * Coalesces the frames a tick sends on one socket into one write(2).
 *
 * ws writes each frame with its own writev (header and payload), a system call per frame per client: most of the
 * server's CPU at saturation (S2 profile at 16,000 updates/s: 45 % of the busy time in `writev`). A group commit
 * releases a batch of updates at once, and their broadcasts all run in the microtasks that follow it; a socket held
 * here collects every frame of them and sends them in one go.
 *
 * Latency: nothing waits for a later event. The flush is a `process.nextTick`, and Node runs next-tick callbacks
 * queued by a microtask only once the microtask queue is empty, so the flush comes right after the last broadcast of
 * the batch, before the event loop reads or writes anything else (frames sent by plain synchronous code, such as a
 * socket's data handler, leave as soon as that code returns). ws's own cork/uncork around each frame nests
 * inside ours (Writable counts corks), and `end()`/`destroy()` of a held socket flush or drop as usual.
 */
export class WriteCoalescer {
  /** Holds of this tick in `pending[0..count)`; the two arrays swap at each flush and keep their capacity. */
  private pending: (SocketHold | undefined)[] = []
  private spare: (SocketHold | undefined)[] = []
  private count = 0
  private flushQueued = false

  /** Corks the socket (once per tick) and uncorks it when the current tick's synchronous work and microtasks end. */
  hold(hold: SocketHold): void {
    if (hold.held) return
    hold.held = true
    hold.socket.cork()
    this.pending[this.count++] = hold
    if (!this.flushQueued) {
      this.flushQueued = true
      process.nextTick(this.flush)
    }
  }

  private readonly flush = (): void => {
    this.flushQueued = false
    // Uncorking writes to the socket and cannot re-enter hold() synchronously (ws emits nothing on a write), but a
    // socket held again later in this tick starts a new round in the other array.
    const holds = this.pending
    const count = this.count
    this.pending = this.spare
    this.spare = holds
    this.count = 0
    for (let i = 0; i < count; i++) {
      const hold = holds[i]
      holds[i] = undefined
      if (hold === undefined) continue
      hold.held = false
      hold.socket.uncork()
    }
  }
}

/** The process's coalescer: one per process, so one flush serves every connection. */
export const writeCoalescer = new WriteCoalescer()
