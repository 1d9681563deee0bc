import { performance } from 'node:perf_hooks'
import * as Y from 'yjs'
import {
  type AppendVersionResult,
  type LockManager,
  MAIN_BRANCH,
  type VersionInfo,
  type VersionKind,
  type VersionStore,
  type VersionTrigger,
} from '../../persistence/ports.ts'
import { type CanvasJSON, summarizeCanvasChanges, toCanvasJSON } from '../../shared/canvas/index.ts'
import type { Logger } from '../logger.ts'
import { KeyedSerializer, Semaphore, yieldToEventLoop } from './limiter.ts'
import { versionDoc } from './states.ts'

/** The lease that makes one instance at a time write a canvas's versions, and how long a writer waits for it. */
const LEASE_TTL_MS = 60_000
const LEASE_BLOCK_ID = 'version-writer'
const LEASE_RETRY_MS = 50
/** A number taken by another writer is retried from the new newest version this many times. */
const MAX_APPEND_ATTEMPTS = 5
/** Version builds running at once in this process: each is mostly synchronous Yjs work on the event loop. */
const BUILD_CONCURRENCY = 1
/** Parent documents kept in memory (one per recently versioned canvas); older ones are rebuilt from storage. */
const MAX_CACHED_PARENTS = 64

/** Leases live in their own namespace: `LockManager.list(canvasId)` (block locks shown to users) never sees them. */
export function versionLeaseKey(canvasId: string): string {
  return `versions:${canvasId}`
}

export interface VersionRequest {
  readonly trigger: VersionTrigger
  readonly label: string | null
  /** Contributors since the parent (deduplicated here). */
  readonly authors: readonly string[]
  /** Create the version even when the canvas did not change since its parent (named and restore versions). */
  readonly force: boolean
  /** Wait up to this long for another instance's lease instead of answering `busy` at once. */
  readonly leaseWaitMs: number
}

export type VersionOutcome =
  | { readonly kind: 'created'; readonly info: VersionInfo; readonly canvas: CanvasJSON }
  /** Nothing changed since the newest version (which may be null: no version and an empty canvas). */
  | { readonly kind: 'unchanged'; readonly latest: VersionInfo | null }
  /** Another instance holds the canvas's version lease. */
  | { readonly kind: 'busy' }

export interface VersionWriterDeps {
  readonly versions: VersionStore
  readonly locks: LockManager
  /** Lease owner: this instance. */
  readonly instanceId: string
  readonly keyframeInterval: number
  readonly log: Logger
  /** Called after a version was stored (e.g. to advance canvases.current_version); a failure is logged. */
  readonly versionCreated: (info: VersionInfo) => Promise<void>
  readonly now?: () => Date
}

interface Parent {
  readonly version: number
  readonly doc: Y.Doc
  readonly canvas: CanvasJSON
}

/**
 * Writes versions of canvases. A version is the union of the parent version's state and the source document:
 * its data is `Y.encodeStateAsUpdate(source, parentStateVector)` (a delta) or, every `keyframeInterval` versions,
 * the full state (a keyframe), so rebuilding any version applies one keyframe and fewer than `keyframeInterval`
 * deltas. The state recorded (JSON, summary, materialized canvas) is computed from exactly that union, so it is
 * what a rebuild gives back, even when another instance's parent held updates this source has not received yet.
 *
 * Races: in this process, one canvas's versions are built one after another; across instances the LockManager
 * lease (Redis when configured) lets one instance write at a time; and the store's unique (canvas, version) is the
 * final guarantee: a writer that loses a number anyway reloads the newest version and retries.
 */
export class VersionWriter {
  private readonly perCanvas = new KeyedSerializer()
  private readonly builds = new Semaphore(BUILD_CONCURRENCY)
  /** Insertion-ordered: the first entry is the least recently used. */
  private readonly parents = new Map<string, Parent>()
  private readonly now: () => Date

  constructor(private readonly deps: VersionWriterDeps) {
    if (!Number.isSafeInteger(deps.keyframeInterval) || deps.keyframeInterval < 1) {
      throw new RangeError('keyframeInterval must be a positive integer')
    }
    this.now = deps.now ?? (() => new Date())
  }

  /** Takes a version of `source` (a live room doc or a doc read from storage) for `canvasId`. */
  createVersion(canvasId: string, source: Y.Doc, request: VersionRequest): Promise<VersionOutcome> {
    return this.perCanvas.run(canvasId, async () => {
      const lease = await this.acquireLease(canvasId, request.leaseWaitMs)
      if (lease === null) return { kind: 'busy' }
      try {
        return await this.builds.run(() => this.build(canvasId, source, request))
      } finally {
        const released = await this.deps.locks.release(versionLeaseKey(canvasId), LEASE_BLOCK_ID, lease)
        // Not fatal: the lease expired meanwhile (a very slow build); the unique version numbers still hold.
        if (!released) this.deps.log.warn({ canvasId }, 'version lease had expired before it was released')
      }
    })
  }

  /** Drops the cached parent of a canvas (its room unloaded). */
  forget(canvasId: string): void {
    this.parents.get(canvasId)?.doc.destroy()
    this.parents.delete(canvasId)
  }

  close(): void {
    for (const parent of this.parents.values()) parent.doc.destroy()
    this.parents.clear()
  }

  private async acquireLease(canvasId: string, waitMs: number): Promise<string | null> {
    const deadline = Date.now() + waitMs
    for (;;) {
      const result = await this.deps.locks.acquire(
        versionLeaseKey(canvasId),
        LEASE_BLOCK_ID,
        this.deps.instanceId,
        LEASE_TTL_MS,
      )
      if (result.ok) return result.lease.token
      if (Date.now() >= deadline) return null
      await new Promise((resolve) => setTimeout(resolve, LEASE_RETRY_MS))
    }
  }

  private async build(canvasId: string, source: Y.Doc, request: VersionRequest): Promise<VersionOutcome> {
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      const latest = await this.deps.versions.latest(canvasId)
      const parent = await this.parentFor(canvasId, latest)
      let outcome: VersionOutcome | null
      try {
        outcome = await this.attempt(canvasId, source, request, latest, parent)
      } catch (error) {
        // The parent may be half advanced: it is no version's state any more, so it never goes back in the cache.
        parent.doc.destroy()
        throw error
      }
      if (outcome !== null) return outcome
      this.deps.log.warn({ canvasId, attempt }, 'version number taken by another writer; retrying')
    }
    throw new Error(`canvas ${canvasId}: version number still taken after ${MAX_APPEND_ATTEMPTS} attempts`)
  }

  /** One try at the next number; null when another writer took it (the parent doc is then discarded). */
  private async attempt(
    canvasId: string,
    source: Y.Doc,
    request: VersionRequest,
    latest: VersionInfo | null,
    parent: Parent,
  ): Promise<VersionOutcome | null> {
    // The work below is synchronous Yjs and JSON work on the event loop; it is cut into steps with a yield
    // between them, so a large canvas stalls other canvases for one step at a time, never for the whole build.
    let busyMs = 0
    const step = async <T>(work: () => T): Promise<T> => {
      await yieldToEventLoop()
      const started = performance.now()
      const value = work()
      busyMs += performance.now() - started
      return value
    }
    // One synchronous step reads the source: edits made after it belong to the next version.
    const { delta, unchanged } = await step(() => {
      const delta = Y.encodeStateAsUpdate(source, Y.encodeStateVector(parent.doc))
      const before = Y.snapshot(parent.doc)
      Y.applyUpdate(parent.doc, delta)
      return { delta, unchanged: Y.equalSnapshots(before, Y.snapshot(parent.doc)) }
    })
    if (unchanged && !request.force && latest !== null) {
      this.remember(canvasId, parent)
      return { kind: 'unchanged', latest }
    }
    if (unchanged && !request.force) {
      // No version yet and nothing to record: an empty first version would say nothing.
      parent.doc.destroy()
      return { kind: 'unchanged', latest: null }
    }
    const canvas = await step(() => toCanvasJSON(parent.doc))
    const summary = await step(() => summarizeCanvasChanges(parent.canvas, canvas))
    const version = (latest?.version ?? 0) + 1
    const kind: VersionKind =
      latest === null || version - latest.keyframeVersion >= this.deps.keyframeInterval ? 'keyframe' : 'delta'
    const data = kind === 'keyframe' ? await step(() => Y.encodeStateAsUpdate(parent.doc)) : delta
    const stored = performance.now()
    const result: AppendVersionResult = await this.deps.versions.append({
      canvasId,
      version,
      parentVersion: version - 1,
      branch: MAIN_BRANCH,
      authors: [...new Set(request.authors)],
      label: request.label,
      trigger: request.trigger,
      summary,
      kind,
      keyframeVersion: kind === 'keyframe' ? version : (latest?.keyframeVersion ?? version),
      data,
      stateVector: Y.encodeStateVector(parent.doc),
      canvas,
      createdAt: this.now(),
    })
    switch (result.kind) {
      case 'created': {
        this.remember(canvasId, { version, doc: parent.doc, canvas })
        this.deps.log.info(
          {
            canvasId,
            version,
            kind,
            trigger: request.trigger,
            bytes: data.byteLength,
            encodeMs: Math.round(busyMs),
            storeMs: Math.round(performance.now() - stored),
          },
          'version created',
        )
        await this.deps.versionCreated(result.info).catch((error: unknown) => {
          this.deps.log.error({ err: error, canvasId, version }, 'version stored, but recording it failed')
        })
        return { kind: 'created', info: result.info, canvas }
      }
      case 'conflict':
        // Another writer took the number (its lease expired, or it had none): the parent moved on.
        parent.doc.destroy()
        return null
      default: {
        const never: never = result
        throw new Error(`unknown append result ${JSON.stringify(never)}`)
      }
    }
  }

  /**
   * The parent version's doc, taken out of the cache (the build advances it in place; it goes back in only as
   * the doc of the version that build stores). Rebuilt from storage when the cached one is not the newest.
   */
  private async parentFor(canvasId: string, latest: VersionInfo | null): Promise<Parent> {
    const cached = this.parents.get(canvasId)
    this.parents.delete(canvasId)
    if (cached !== undefined && cached.version === (latest?.version ?? 0)) return cached
    cached?.doc.destroy()
    if (latest === null) {
      const doc = new Y.Doc()
      return { version: 0, doc, canvas: toCanvasJSON(doc) }
    }
    const doc = await versionDoc(this.deps.versions, canvasId, latest.version)
    if (doc === null)
      throw new Error(`canvas ${canvasId}: newest version ${latest.version} cannot be rebuilt`)
    return { version: latest.version, doc, canvas: toCanvasJSON(doc) }
  }

  private remember(canvasId: string, parent: Parent): void {
    this.parents.set(canvasId, parent)
    while (this.parents.size > MAX_CACHED_PARENTS) {
      const [oldest] = this.parents.keys()
      if (oldest === undefined) break
      this.forget(oldest)
    }
  }
}
