import type * as Y from 'yjs'
import type { DocumentStore, VersionInfo, VersionStore } from '../../persistence/ports.ts'
import { type CanvasJSON, toCanvasJSON } from '../../shared/canvas/index.ts'
import type { Logger } from '../logger.ts'
import { type RoomRegistry, readCanvasDoc } from '../rooms/registry.ts'
import { restoreUpdate } from './restore.ts'
import { versionDoc } from './states.ts'
import type { VersionOutcome } from './version-writer.ts'
import type { CanvasVersioner } from './versioner.ts'

/** Named versions and restores wait this long for another instance's version lease before answering busy. */
const REQUEST_LEASE_WAIT_MS = 10_000
/** The origin reason of restore updates (shows in logs and in the room's transaction origin). */
export const RESTORE_REASON = 'restore'

export class VersionNotFound extends Error {
  override readonly name = 'VersionNotFound'
}

/** Another instance kept the canvas's version lease longer than a request waits. */
export class HistoryBusy extends Error {
  override readonly name = 'HistoryBusy'
}

export interface RestoreResult {
  /** The version the canvas now has (parent: the version that was current before). */
  readonly version: VersionInfo
  readonly restoredFrom: number
  /** False when the canvas already read as the restored version (no update was sent). */
  readonly changed: boolean
}

export interface HistoryServiceDeps {
  readonly versions: VersionStore
  readonly documents: DocumentStore
  readonly registry: RoomRegistry
  readonly versioner: CanvasVersioner
  readonly log: Logger
}

/** What the HTTP routes do with history beyond reading it: named versions and restores. */
export class HistoryService {
  constructor(private readonly deps: HistoryServiceDeps) {}

  /** A named (or unnamed) version of the canvas as it is now, even if nothing changed since the last one. */
  async createNamedVersion(canvasId: string, label: string | null): Promise<VersionInfo> {
    const outcome = await this.withCurrentDoc(canvasId, (doc) =>
      this.deps.versioner.take(canvasId, doc, {
        trigger: 'manual',
        label,
        force: true,
        leaseWaitMs: REQUEST_LEASE_WAIT_MS,
      }),
    )
    return created(outcome)
  }

  /**
   * Makes the live document read as `version` again. Unversioned edits are first kept as a version of their own
   * ('pre-restore'), so nothing is lost from the history; the restore is then sent as a normal update (journaled,
   * relayed to every instance and client) and recorded as a new version whose parent is the version before it.
   */
  async restore(canvasId: string, version: number, userId: string): Promise<RestoreResult> {
    const target = await this.canvasAt(canvasId, version)
    await this.withCurrentDoc(canvasId, (doc) =>
      this.deps.versioner.take(canvasId, doc, {
        trigger: 'pre-restore',
        label: null,
        force: false,
        leaseWaitMs: REQUEST_LEASE_WAIT_MS,
      }),
    ).then(notBusy)
    const update = await this.withCurrentDoc(canvasId, async (doc) => restoreUpdate(doc, target))
    if (update !== null) await this.deps.registry.submitServerUpdate(canvasId, update, RESTORE_REASON, userId)
    // Read after the submit resolved: a local room has applied the update; storage has it journaled.
    const outcome = await this.withCurrentDoc(canvasId, (doc) =>
      this.deps.versioner.take(canvasId, doc, {
        trigger: 'restore',
        label: `Restored version ${version}`,
        force: true,
        leaseWaitMs: REQUEST_LEASE_WAIT_MS,
        extraAuthors: [userId],
      }),
    )
    return { version: created(outcome), restoredFrom: version, changed: update !== null }
  }

  /** The canvas JSON at a version; VersionNotFound when it does not exist (or was pruned). */
  async canvasAt(canvasId: string, version: number): Promise<CanvasJSON> {
    const doc = await versionDoc(this.deps.versions, canvasId, version)
    if (doc === null) throw new VersionNotFound(`canvas ${canvasId} has no version ${version}`)
    try {
      return toCanvasJSON(doc)
    } finally {
      doc.destroy()
    }
  }

  /** The live room's doc when the canvas is loaded here (never copied), else a doc read from storage. */
  private async withCurrentDoc<T>(canvasId: string, work: (doc: Y.Doc) => Promise<T>): Promise<T> {
    const live = this.deps.registry.peek(canvasId)
    if (live !== null) return work(live.doc)
    const doc = await readCanvasDoc(this.deps.registry, this.deps.documents, canvasId, this.deps.log)
    try {
      return await work(doc)
    } finally {
      doc.destroy()
    }
  }
}

function notBusy(outcome: VersionOutcome): VersionOutcome {
  if (outcome.kind === 'busy') throw new HistoryBusy('another instance is writing versions of this canvas')
  return outcome
}

function created(outcome: VersionOutcome): VersionInfo {
  switch (outcome.kind) {
    case 'created':
      return outcome.info
    case 'busy':
      throw new HistoryBusy('another instance is writing versions of this canvas')
    case 'unchanged':
      // A forced version is always created: reaching this is a bug in the writer.
      throw new Error('invariant violated: a forced version was reported unchanged')
    default: {
      const never: never = outcome
      throw new Error(`unknown version outcome ${JSON.stringify(never)}`)
    }
  }
}
