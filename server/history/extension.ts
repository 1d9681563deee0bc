import type { Logger } from '../logger.ts'
import type { AcceptedUpdate, RoomExtension, RoomView } from '../rooms/extensions.ts'
import type { CanvasVersioner } from './versioner.ts'

/** Another instance held the lease: it is probably versioning the same edits; look again shortly. */
const BUSY_RETRY_MS = 1000
/** A failed version (storage down) is retried after this long, at the earliest. */
const FAILURE_RETRY_MS = 10_000
/** At unload the last version waits this long for another instance's lease (kept short: shutdown runs unloads in turn). */
const UNLOAD_LEASE_WAIT_MS = 1000

export interface VersioningOptions {
  readonly quietMs: number
  readonly maxIntervalMs: number
}

interface Schedule {
  timer: NodeJS.Timeout | null
  running: Promise<void> | null
}

/**
 * Automatic versions of loaded canvases: once edits have been quiet for `quietMs`, at least every `maxIntervalMs`
 * under constant editing, and when the room unloads (its last client left). Updates from every origin count
 * (clients here, other instances, server changes), so a canvas is versioned even if the instance its editors used
 * died; the writer's lease and its "nothing changed" check keep instances from writing the same version twice.
 *
 * Timers are not reset per update (that would be a timer churn per keystroke): one timer per dirty canvas wakes
 * at the earliest due time and re-arms itself if more edits arrived meanwhile.
 */
export class VersioningExtension implements RoomExtension {
  readonly name = 'versioning'
  private readonly schedules = new Map<string, Schedule>()

  constructor(
    private readonly versioner: CanvasVersioner,
    private readonly options: VersioningOptions,
    private readonly log: Logger,
  ) {}

  afterUpdate(room: RoomView, accepted: AcceptedUpdate): void {
    this.versioner.activity.recordUpdate(room.canvasId, accepted.authorId)
    this.arm(room, 0)
  }

  async beforeUnload(room: RoomView): Promise<void> {
    const schedule = this.schedules.get(room.canvasId)
    if (schedule?.running) await schedule.running
    if (!this.versioner.activity.snapshot(room.canvasId).dirty) return
    // Not rethrown: a failed last version must not keep the room loaded or skip its final compaction; the edits
    // are safe in the journal and the next session's first version includes them.
    await this.run(room, 'unload', UNLOAD_LEASE_WAIT_MS)
  }

  roomDestroyed(room: RoomView): void {
    const schedule = this.schedules.get(room.canvasId)
    if (schedule?.timer) clearTimeout(schedule.timer)
    this.schedules.delete(room.canvasId)
    this.versioner.forget(room.canvasId)
  }

  /** Arms the canvas's timer for its due time (or `minDelayMs` from now, whichever is later). */
  private arm(room: RoomView, minDelayMs: number): void {
    const schedule = this.schedule(room.canvasId)
    if (schedule.timer !== null || schedule.running !== null) return
    const due = this.versioner.activity.dueAt(room.canvasId, this.options.quietMs, this.options.maxIntervalMs)
    if (due === null) return
    const delay = Math.max(minDelayMs, due.at - Date.now(), 0)
    schedule.timer = setTimeout(() => this.wake(room), delay)
    schedule.timer.unref()
  }

  private wake(room: RoomView): void {
    const schedule = this.schedule(room.canvasId)
    schedule.timer = null
    const due = this.versioner.activity.dueAt(room.canvasId, this.options.quietMs, this.options.maxIntervalMs)
    if (due === null) return
    if (due.at > Date.now()) {
      this.arm(room, 0)
      return
    }
    void this.run(room, due.quiet ? 'quiet' : 'interval', 0)
  }

  private run(room: RoomView, trigger: 'quiet' | 'interval' | 'unload', leaseWaitMs: number): Promise<void> {
    const schedule = this.schedule(room.canvasId)
    const running = (async () => {
      let retryInMs = 0
      try {
        const outcome = await this.versioner.take(room.canvasId, room.doc, {
          trigger,
          label: null,
          force: false,
          leaseWaitMs,
        })
        if (outcome.kind === 'busy') retryInMs = BUSY_RETRY_MS
      } catch (error) {
        this.log.error({ err: error, canvasId: room.canvasId, trigger }, 'automatic version failed')
        retryInMs = Math.max(FAILURE_RETRY_MS, this.options.quietMs)
      } finally {
        schedule.running = null
      }
      if (trigger !== 'unload' && this.schedules.get(room.canvasId) === schedule) this.arm(room, retryInMs)
    })()
    schedule.running = running
    return running
  }

  private schedule(canvasId: string): Schedule {
    let schedule = this.schedules.get(canvasId)
    if (schedule === undefined) {
      schedule = { timer: null, running: null }
      this.schedules.set(canvasId, schedule)
    }
    return schedule
  }
}
