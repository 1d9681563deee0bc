/**
 * Open-loop sending: `rate` sends per second for `durationMs`, on a fixed schedule that does not
 * wait for replies. A timer ticks every millisecond and sends everything that is due; if the
 * generator falls behind it catches up (at most 20 ms worth per tick, so receiving still runs).
 */
import { Samples } from '../lib/stats.ts'

export interface ScheduleResult {
  readonly sent: number
  /** How late each send was against its schedule, ms. */
  readonly lag: Samples
}

/**
 * Send `i` (from 0) falls due once `i + 1` send intervals have passed: the first send goes one interval after the
 * start, and the schedule ends with the last send at `durationMs`.
 */
export const sendsDue = (elapsedMs: number, rate: number, total: number): number =>
  Math.min(total, Math.floor((elapsedMs * rate) / 1000))

/** When send `i` falls due, ms after the start; its lag is measured from here. */
export const sendDueAtMs = (i: number, rate: number): number => ((i + 1) * 1000) / rate

/** Calls `sendOne(i)` for i = 0, 1, 2, ... on schedule; stops at `durationMs` (+1 s grace to catch up). */
export const runSchedule = (
  rate: number,
  durationMs: number,
  sendOne: (i: number) => void,
): Promise<ScheduleResult> =>
  new Promise((resolve) => {
    const start = performance.now()
    const lag = new Samples()
    const perTick = Math.max(1, Math.ceil(rate * 0.02))
    let sent = 0
    const total = Math.floor((rate * durationMs) / 1000)
    const tick = (): void => {
      const elapsed = performance.now() - start
      const due = sendsDue(elapsed, rate, total)
      let budget = perTick
      while (sent < due && budget-- > 0) {
        lag.add(performance.now() - (start + sendDueAtMs(sent, rate)))
        sendOne(sent)
        sent++
      }
      if (sent >= total || elapsed > durationMs + 1000) {
        resolve({ sent, lag })
        return
      }
      setTimeout(tick, 1)
    }
    setTimeout(tick, 1)
  })
