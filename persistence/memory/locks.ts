import type { BlockLease, LockManager, LockResult } from '../ports.ts'
import { newLockToken } from './lock-token.ts'
import { assertPositiveInteger } from './validate.ts'

export interface MemoryLockOptions {
  /** Clock in epoch ms (tests may inject one); default Date.now. */
  readonly now?: () => number
}

/**
 * In-process block leases. Every method runs to completion without awaiting, so each is atomic with respect to
 * the others (the single-threaded equivalent of the Redis adapter's Lua scripts).
 */
export class MemoryLockManager implements LockManager {
  /** canvasId → blockId → lease; expired leases linger until the next touch of their canvas. */
  private readonly leases = new Map<string, Map<string, BlockLease>>()
  /** Per canvas, never reset: fences must keep increasing even after every lease is gone. */
  private readonly fences = new Map<string, number>()
  private readonly now: () => number

  constructor(options: MemoryLockOptions = {}) {
    this.now = options.now ?? Date.now
  }

  async acquire(canvasId: string, blockId: string, userId: string, ttlMs: number): Promise<LockResult> {
    assertPositiveInteger('ttlMs', ttlMs)
    const blocks = this.liveBlocks(canvasId)
    const now = this.now()
    const current = blocks.get(blockId)
    if (current !== undefined) {
      if (current.userId !== userId) return { ok: false, heldBy: current }
      const renewed = { ...current, expiresAt: new Date(now + ttlMs) }
      blocks.set(blockId, renewed)
      return { ok: true, lease: renewed }
    }
    const fence = (this.fences.get(canvasId) ?? 0) + 1
    this.fences.set(canvasId, fence)
    const lease: BlockLease = {
      canvasId,
      blockId,
      userId,
      token: newLockToken(),
      fence,
      expiresAt: new Date(now + ttlMs),
    }
    blocks.set(blockId, lease)
    this.leases.set(canvasId, blocks)
    return { ok: true, lease }
  }

  async renew(canvasId: string, blockId: string, token: string, ttlMs: number): Promise<BlockLease | null> {
    assertPositiveInteger('ttlMs', ttlMs)
    const blocks = this.liveBlocks(canvasId)
    const current = blocks.get(blockId)
    if (current === undefined || current.token !== token) return null
    const renewed = { ...current, expiresAt: new Date(this.now() + ttlMs) }
    blocks.set(blockId, renewed)
    return renewed
  }

  async release(canvasId: string, blockId: string, token: string): Promise<boolean> {
    const blocks = this.liveBlocks(canvasId)
    const current = blocks.get(blockId)
    if (current === undefined || current.token !== token) return false
    blocks.delete(blockId)
    this.dropIfEmpty(canvasId, blocks)
    return true
  }

  async forceRelease(canvasId: string, blockId: string): Promise<BlockLease | null> {
    const blocks = this.liveBlocks(canvasId)
    const current = blocks.get(blockId)
    if (current === undefined) return null
    blocks.delete(blockId)
    this.dropIfEmpty(canvasId, blocks)
    return current
  }

  async releaseAllForUser(canvasId: string, userId: string): Promise<BlockLease[]> {
    const blocks = this.liveBlocks(canvasId)
    const released: BlockLease[] = []
    for (const [blockId, lease] of blocks) {
      if (lease.userId !== userId) continue
      blocks.delete(blockId)
      released.push(lease)
    }
    this.dropIfEmpty(canvasId, blocks)
    return released
  }

  async list(canvasId: string): Promise<BlockLease[]> {
    return [...this.liveBlocks(canvasId).values()]
  }

  async close(): Promise<void> {
    this.leases.clear()
  }

  /**
   * The canvas's lease map with expired leases removed. A canvas without leases gets a fresh map that is stored
   * only once acquire() puts a lease in it, so lookups never grow the outer map.
   */
  private liveBlocks(canvasId: string): Map<string, BlockLease> {
    const blocks = this.leases.get(canvasId)
    if (blocks === undefined) return new Map()
    const now = this.now()
    for (const [blockId, lease] of blocks) {
      if (lease.expiresAt.getTime() <= now) blocks.delete(blockId)
    }
    this.dropIfEmpty(canvasId, blocks)
    return blocks
  }

  private dropIfEmpty(canvasId: string, blocks: Map<string, BlockLease>): void {
    if (blocks.size === 0) this.leases.delete(canvasId)
  }
}
