import { newLockToken } from '../memory/lock-token.ts'
import { consoleLogger } from '../memory/log.ts'
import { assertPositiveInteger } from '../memory/validate.ts'
import type { BlockLease, LockManager, LockResult } from '../ports.ts'
import { type RedisAdapterOptions, RedisHandle } from './connection.ts'
import { RedisAdapterError } from './errors.ts'
import { type RedisKeys, redisKeys } from './keys.ts'
import { ACQUIRE, FORCE_RELEASE, LIST, RELEASE, RELEASE_ALL_FOR_USER, RENEW } from './lock-scripts.ts'

/**
 * Block leases in a hash per canvas (`canvas:locks:{<canvasId>}`) with a per-canvas fence counter
 * (`canvas:lockfence:{<canvasId>}`, same slot). Every operation is one Lua script, so concurrent acquirers on any
 * number of instances see exactly one winner, and expiry is judged by the Redis clock.
 */
export class RedisLockManager implements LockManager {
  private readonly handle: RedisHandle
  private readonly keys: RedisKeys

  constructor(options: RedisAdapterOptions) {
    this.handle = RedisHandle.open(options.redis, 'jabiru-locks', options.logger ?? consoleLogger)
    this.keys = redisKeys(options.prefix)
  }

  async acquire(canvasId: string, blockId: string, userId: string, ttlMs: number): Promise<LockResult> {
    assertPositiveInteger('ttlMs', ttlMs)
    const keys = [this.keys.locks(canvasId), this.keys.lockFence(canvasId)]
    const reply = await ACQUIRE.run(this.handle.client, keys, [blockId, userId, newLockToken(), ttlMs])
    if (!Array.isArray(reply) || reply.length !== 2) throw unexpected('lock acquire', reply)
    const [won, raw] = reply as unknown[]
    const lease = parseLease('lock acquire', canvasId, blockId, raw)
    return won === 1 ? { ok: true, lease } : { ok: false, heldBy: lease }
  }

  async renew(canvasId: string, blockId: string, token: string, ttlMs: number): Promise<BlockLease | null> {
    assertPositiveInteger('ttlMs', ttlMs)
    const reply = await RENEW.run(this.handle.client, [this.keys.locks(canvasId)], [blockId, token, ttlMs])
    return reply === null ? null : parseLease('lock renew', canvasId, blockId, reply)
  }

  async release(canvasId: string, blockId: string, token: string): Promise<boolean> {
    const reply = await RELEASE.run(this.handle.client, [this.keys.locks(canvasId)], [blockId, token])
    return reply === 1
  }

  async forceRelease(canvasId: string, blockId: string): Promise<BlockLease | null> {
    const reply = await FORCE_RELEASE.run(this.handle.client, [this.keys.locks(canvasId)], [blockId])
    return reply === null ? null : parseLease('lock force release', canvasId, blockId, reply)
  }

  async releaseAllForUser(canvasId: string, userId: string): Promise<BlockLease[]> {
    const reply = await RELEASE_ALL_FOR_USER.run(this.handle.client, [this.keys.locks(canvasId)], [userId])
    return parseLeasePairs('lock release all for user', canvasId, reply)
  }

  async list(canvasId: string): Promise<BlockLease[]> {
    const reply = await LIST.run(this.handle.client, [this.keys.locks(canvasId)], [])
    return parseLeasePairs('lock list', canvasId, reply)
  }

  async close(): Promise<void> {
    await this.handle.close()
  }
}

function unexpected(operation: string, reply: unknown): RedisAdapterError {
  return new RedisAdapterError(operation, new Error(`unexpected script reply ${JSON.stringify(reply)}`))
}

/** Leases reaching here passed the script's shape check; anything else means the scripts and this code disagree. */
function parseLease(operation: string, canvasId: string, blockId: string, raw: unknown): BlockLease {
  if (typeof raw !== 'string') throw unexpected(operation, raw)
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch (error) {
    throw new RedisAdapterError(operation, error)
  }
  if (typeof value !== 'object' || value === null) throw unexpected(operation, raw)
  const { userId, token, fence, expiresAt } = value as Record<string, unknown>
  if (typeof userId !== 'string' || typeof token !== 'string') throw unexpected(operation, raw)
  if (typeof fence !== 'number' || typeof expiresAt !== 'number') throw unexpected(operation, raw)
  return { canvasId, blockId, userId, token, fence, expiresAt: new Date(expiresAt) }
}

/** Parses a flat {blockId, lease, ...} script reply. */
function parseLeasePairs(operation: string, canvasId: string, reply: unknown): BlockLease[] {
  if (!Array.isArray(reply) || reply.length % 2 !== 0) throw unexpected(operation, reply)
  const pairs = reply as unknown[]
  const leases: BlockLease[] = []
  for (let i = 0; i < pairs.length; i += 2) {
    const blockId = pairs[i]
    if (typeof blockId !== 'string') throw unexpected(operation, reply)
    leases.push(parseLease(operation, canvasId, blockId, pairs[i + 1]))
  }
  return leases
}
