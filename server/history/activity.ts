/**
 * What happened on each loaded canvas since its last version: a generation counter bumped by every applied update,
 * who made updates (and in which generation), and when edits started and last arrived. A version taken at
 * generation G covers every update up to G; updates applied while it was being built stay pending for the next.
 */
interface Activity {
  generation: number
  coveredGeneration: number
  /** Author id -> generation of their latest update. */
  readonly authors: Map<string, number>
  /** When the oldest uncovered update arrived (ms), or null when everything is covered. */
  dirtySince: number | null
  lastUpdateAt: number
}

export interface ActivitySnapshot {
  readonly generation: number
  readonly authors: readonly string[]
  readonly dirty: boolean
}

export class ActivityTracker {
  private readonly canvases = new Map<string, Activity>()

  constructor(private readonly clock: () => number = Date.now) {}

  /** An update was applied to the canvas; `authorId` when the server knows who made it. */
  recordUpdate(canvasId: string, authorId: string | null): void {
    const activity = this.activity(canvasId)
    const now = this.clock()
    activity.generation++
    activity.lastUpdateAt = now
    activity.dirtySince ??= now
    if (authorId !== null) activity.authors.set(authorId, activity.generation)
  }

  snapshot(canvasId: string): ActivitySnapshot {
    const activity = this.canvases.get(canvasId)
    if (activity === undefined) return { generation: 0, authors: [], dirty: false }
    return {
      generation: activity.generation,
      authors: [...activity.authors.keys()],
      dirty: activity.generation > activity.coveredGeneration,
    }
  }

  /** A version (or the finding that nothing changed) covers every update up to `generation`. */
  covered(canvasId: string, generation: number): void {
    const activity = this.canvases.get(canvasId)
    if (activity === undefined || generation <= activity.coveredGeneration) return
    activity.coveredGeneration = generation
    for (const [author, last] of activity.authors) if (last <= generation) activity.authors.delete(author)
    // Updates that arrived during the build are still pending: their clock restarts now (close enough for the
    // maximum interval, which only bounds how long edits wait).
    activity.dirtySince = activity.generation > generation ? this.clock() : null
  }

  /** When the canvas is due a version: quiet for `quietMs`, or dirty for `maxIntervalMs`; null when clean. */
  dueAt(canvasId: string, quietMs: number, maxIntervalMs: number): { at: number; quiet: boolean } | null {
    const activity = this.canvases.get(canvasId)
    if (activity === undefined || activity.dirtySince === null) return null
    const quietAt = activity.lastUpdateAt + quietMs
    const maxAt = activity.dirtySince + maxIntervalMs
    return quietAt <= maxAt ? { at: quietAt, quiet: true } : { at: maxAt, quiet: false }
  }

  forget(canvasId: string): void {
    this.canvases.delete(canvasId)
  }

  private activity(canvasId: string): Activity {
    let activity = this.canvases.get(canvasId)
    if (activity === undefined) {
      activity = {
        generation: 0,
        coveredGeneration: 0,
        authors: new Map(),
        dirtySince: null,
        lastUpdateAt: 0,
      }
      this.canvases.set(canvasId, activity)
    }
    return activity
  }
}
