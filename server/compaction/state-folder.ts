import type { Worker } from 'node:worker_threads'
import { typeScriptWorker } from '../../persistence/worker-thread.ts'
import { type FoldResult, foldState } from './fold.ts'
import { type FoldReply, packFoldRequest } from './fold-protocol.ts'

/** Builds the state a compaction stores: a stored state with journal updates folded in (see fold.ts). */
export interface StateFolder {
  fold(base: Uint8Array | null, updates: readonly Uint8Array[]): Promise<FoldResult>
  close(): Promise<void>
}

/** Folds on the calling thread: for tests and tools, where a compaction may take the event loop's time. */
export class InlineStateFolder implements StateFolder {
  async fold(base: Uint8Array | null, updates: readonly Uint8Array[]): Promise<FoldResult> {
    return foldState(base, updates)
  }

  close(): Promise<void> {
    // Nothing to release: folds ran on the caller's thread and are done when they resolve.
    return Promise.resolve()
  }
}

/**
 * Folds on a thread of its own, so a compaction costs the event loop a copy of the bytes instead of a Y.Doc
 * encoding (bench S7: encoding each 200 KB canvas on the loop held every room's relay for milliseconds, event-loop
 * delay p99 6.5-8 ms against the peers' 0.9). The thread starts on the first fold, runs at the lowest CPU priority
 * and does not keep the process alive while idle.
 */
export class ThreadStateFolder implements StateFolder {
  private worker: Worker | null = null
  private readonly pending = new Map<
    number,
    { resolve: (result: FoldResult) => void; reject: (error: Error) => void }
  >()
  private nextId = 1
  private closed = false

  constructor(private readonly warn: (message: string) => void) {}

  fold(base: Uint8Array | null, updates: readonly Uint8Array[]): Promise<FoldResult> {
    if (this.closed) return Promise.reject(new Error('the compaction thread is closed'))
    const worker = this.started()
    const request = packFoldRequest(this.nextId++, base, updates)
    return new Promise<FoldResult>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject })
      if (this.pending.size === 1) worker.ref()
      worker.postMessage(request, [request.bytes.buffer as ArrayBuffer])
    })
  }

  async close(): Promise<void> {
    this.closed = true
    const worker = this.worker
    this.worker = null
    this.failAll(new Error('the compaction thread is closed'))
    if (worker !== null) await worker.terminate()
  }

  private started(): Worker {
    if (this.worker !== null) return this.worker
    const worker = typeScriptWorker(new URL('./fold-worker.ts', import.meta.url), null)
    worker.unref()
    worker.on('message', (reply: FoldReply) => this.received(reply))
    // A thread that died fails the folds it had; the next fold starts a new one (the journal keeps the data).
    worker.on('error', (error) =>
      this.lost(worker, new Error('the compaction thread failed', { cause: error })),
    )
    worker.on('exit', (code) => this.lost(worker, new Error(`the compaction thread exited (code ${code})`)))
    this.worker = worker
    return worker
  }

  private received(reply: FoldReply): void {
    switch (reply.kind) {
      case 'warning':
        this.warn(reply.message)
        return
      case 'folded':
        this.settle(reply.id)?.resolve({ state: reply.state, skipped: reply.skipped })
        return
      case 'failed':
        this.settle(reply.id)?.reject(new Error(`folding the journal failed: ${reply.message}`))
        return
      default: {
        const never: never = reply
        this.warn(`unknown message from the compaction thread: ${JSON.stringify(never)}`)
      }
    }
  }

  private settle(id: number) {
    const waiter = this.pending.get(id)
    this.pending.delete(id)
    if (this.pending.size === 0) this.worker?.unref()
    return waiter
  }

  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return
    this.worker = null
    this.failAll(error)
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error)
    this.pending.clear()
  }
}
