import type * as Y from 'yjs'
import type { VersionTrigger } from '../../persistence/ports.ts'
import type { ActivityTracker } from './activity.ts'
import type { VersionOutcome, VersionWriter } from './version-writer.ts'

export interface TakeVersion {
  readonly trigger: VersionTrigger
  readonly label: string | null
  readonly force: boolean
  readonly leaseWaitMs: number
  /** Credited besides the canvas's pending authors (e.g. the user who restored). */
  readonly extraAuthors?: readonly string[]
}

/**
 * Takes versions of canvases, crediting the authors whose updates are pending and marking them covered once the
 * version is stored (or once the writer found nothing changed). Used by the room extension (automatic versions)
 * and the HTTP routes (named versions, restores) alike.
 */
export class CanvasVersioner {
  constructor(
    readonly writer: VersionWriter,
    readonly activity: ActivityTracker,
  ) {}

  async take(canvasId: string, source: Y.Doc, request: TakeVersion): Promise<VersionOutcome> {
    // Snapshot first: updates applied while the version is built stay pending (their generation is higher).
    const pending = this.activity.snapshot(canvasId)
    const outcome = await this.writer.createVersion(canvasId, source, {
      trigger: request.trigger,
      label: request.label,
      authors: [...pending.authors, ...(request.extraAuthors ?? [])],
      force: request.force,
      leaseWaitMs: request.leaseWaitMs,
    })
    switch (outcome.kind) {
      case 'created':
      case 'unchanged':
        this.activity.covered(canvasId, pending.generation)
        return outcome
      case 'busy':
        return outcome
      default: {
        const never: never = outcome
        throw new Error(`unknown version outcome ${JSON.stringify(never)}`)
      }
    }
  }

  /** The canvas left memory: forget its pending state and cached parent. */
  forget(canvasId: string): void {
    this.activity.forget(canvasId)
    this.writer.forget(canvasId)
  }
}
