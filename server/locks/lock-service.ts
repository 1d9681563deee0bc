import type { BlockLease, Bus, LockManager, LockResult } from '../../persistence/ports.ts'
import type { Logger } from '../logger.ts'

export interface LockOptions {
  readonly defaultTtlMs: number
  readonly maxTtlMs: number
}

/**
 * Block leases (the LockManager port: Redis with fencing when REDIS_URL is set, in-process otherwise) plus a cache
 * per loaded canvas that the update guard reads synchronously. Every change refreshes this instance's cache before
 * the caller gets its answer (so enforcement here is immediate) and is announced on the bus, so other instances
 * refresh theirs (enforcement there follows within the bus latency).
 */
export class LockService {
  private readonly cache = new Map<string, readonly BlockLease[]>()
  private readonly changeListeners: Array<(canvasId: string) => void> = []

  constructor(
    private readonly locks: LockManager,
    private readonly bus: Bus,
    readonly options: LockOptions,
    private readonly log: Logger,
  ) {}

  /** Called (once per instance) when this canvas's leases changed anywhere, after the cache was refreshed. */
  onChange(listener: (canvasId: string) => void): void {
    this.changeListeners.push(listener)
  }

  clampTtl(ttlMs: number | undefined): number {
    return Math.min(Math.max(ttlMs ?? this.options.defaultTtlMs, 1000), this.options.maxTtlMs)
  }

  async acquire(canvasId: string, blockId: string, userId: string, ttlMs?: number): Promise<LockResult> {
    const result = await this.locks.acquire(canvasId, blockId, userId, this.clampTtl(ttlMs))
    if (result.ok) await this.changed(canvasId)
    return result
  }

  async renew(canvasId: string, blockId: string, token: string, ttlMs?: number): Promise<BlockLease | null> {
    const lease = await this.locks.renew(canvasId, blockId, token, this.clampTtl(ttlMs))
    if (lease !== null) await this.changed(canvasId)
    return lease
  }

  async release(canvasId: string, blockId: string, token: string): Promise<boolean> {
    const released = await this.locks.release(canvasId, blockId, token)
    if (released) await this.changed(canvasId)
    return released
  }

  async forceRelease(canvasId: string, blockId: string): Promise<BlockLease | null> {
    const lease = await this.locks.forceRelease(canvasId, blockId)
    if (lease !== null) await this.changed(canvasId)
    return lease
  }

  async releaseAllForUser(canvasId: string, userId: string): Promise<BlockLease[]> {
    const released = await this.locks.releaseAllForUser(canvasId, userId)
    if (released.length > 0) await this.changed(canvasId)
    return released
  }

  list(canvasId: string): Promise<BlockLease[]> {
    return this.locks.list(canvasId)
  }

  /** Start caching a canvas's leases (its room loaded here). */
  async track(canvasId: string): Promise<void> {
    this.cache.set(canvasId, await this.locks.list(canvasId))
  }

  untrack(canvasId: string): void {
    this.cache.delete(canvasId)
  }

  /** Cached live leases of a canvas (expired ones filtered by time, as the store would). */
  cachedLeases(canvasId: string, now = Date.now()): BlockLease[] {
    return (this.cache.get(canvasId) ?? []).filter((lease) => lease.expiresAt.getTime() > now)
  }

  /** Another instance announced a change: refresh and notify. */
  async refresh(canvasId: string): Promise<void> {
    if (!this.cache.has(canvasId)) return
    this.cache.set(canvasId, await this.locks.list(canvasId))
    for (const listener of this.changeListeners) listener(canvasId)
  }

  private async changed(canvasId: string): Promise<void> {
    await this.refresh(canvasId)
    // Our own announcement comes back to our rooms too; refreshing twice is harmless.
    this.bus.publish({ kind: 'locks', canvasId, origin: this.bus.instanceId }).catch((error: unknown) => {
      this.log.warn(
        { err: error, canvasId },
        'lock change could not be announced; other instances see it on refresh',
      )
    })
  }
}

/** What clients see of a lease: never the token, which would let them release or renew it. */
export interface LeaseView {
  readonly block_id: string
  readonly user_id: string
  readonly expires_at: string
  readonly fence: number
}

export function leaseView(lease: BlockLease): LeaseView {
  return {
    block_id: lease.blockId,
    user_id: lease.userId,
    expires_at: lease.expiresAt.toISOString(),
    fence: lease.fence,
  }
}
