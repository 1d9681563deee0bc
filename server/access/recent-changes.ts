import type { AccessChange } from '../rooms/extensions.ts'

/** How long changes are remembered; a connection authorized longer ago than this is always re-checked. */
export const RECENT_CHANGE_WINDOW_MS = 60_000
/** Past this many remembered users/canvases, entries older than the window are dropped. */
const PRUNE_AT = 1000

/**
 * When access last changed, per user, per canvas and for everyone (monotonic ms). Closes the race between an
 * upgrade (which read access at `authorizedAt`) and a change announced before its connection joined a room: the
 * room re-checks a joining connection if a change that could concern it arrived after `authorizedAt`.
 */
export class RecentAccessChanges {
  private everyone = Number.NEGATIVE_INFINITY
  private readonly byUser = new Map<string, number>()
  private readonly byCanvas = new Map<string, number>()

  constructor(private readonly now: () => number) {}

  record(change: AccessChange): void {
    const at = this.now()
    if (change.canvasId !== null) {
      // A change of one user on one canvas is remembered for the whole canvas: more re-checks, never fewer.
      remember(this.byCanvas, change.canvasId, at)
    } else if (change.userId !== null) {
      remember(this.byUser, change.userId, at)
    } else {
      this.everyone = at
    }
  }

  /** Whether a change concerning this user or canvas may have happened at or after `since`. */
  changedSince(canvasId: string, userId: string, since: number): boolean {
    if (since < this.now() - RECENT_CHANGE_WINDOW_MS) return true
    return (
      this.everyone >= since ||
      (this.byUser.get(userId) ?? Number.NEGATIVE_INFINITY) >= since ||
      (this.byCanvas.get(canvasId) ?? Number.NEGATIVE_INFINITY) >= since
    )
  }
}

function remember(map: Map<string, number>, key: string, at: number): void {
  map.delete(key)
  map.set(key, at)
  if (map.size <= PRUNE_AT) return
  // Insertion order is time order (re-inserted on update): drop from the front while entries are stale.
  for (const [oldKey, time] of map) {
    if (time >= at - RECENT_CHANGE_WINDOW_MS) break
    map.delete(oldKey)
  }
}
