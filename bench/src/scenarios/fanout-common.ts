/** Helpers for the fan-out scenarios (S2, S3, S4, S7, S8). */
import type { FanoutJob, FanoutResult } from '../load/jobs.ts'
import { runJob } from '../run/load-process.ts'
import type { RunningServer } from '../servers/launch.ts'
import { EventBarrier, mergeFanoutResults, splitFanoutJob } from './fanout-split.ts'
import { StepWindows, type WindowSample } from './metrics.ts'

export const P99_LIMIT_MS = 10

/** A ramp step the server kept up with: fan-out p99 under the limit and no delivery lost (S2's headline rule). */
export const keptUp = (latency: { readonly p99: number; readonly missing: number }): boolean =>
  latency.p99 < P99_LIMIT_MS && latency.missing === 0
export const PADDING_CHARS = 60

export interface FanoutRun {
  readonly result: FanoutResult
  readonly windows: ReadonlyMap<number, WindowSample>
}

/** Runs `job` against `server`, in one load process or split by canvas over `processes` (see fanout-split.ts). */
export const runFanoutOn = async (
  server: RunningServer,
  job: FanoutJob,
  processes = 1,
): Promise<FanoutRun> => {
  const windows = new StepWindows(server)
  const perStep = job.warmupMs + job.measureMs + job.drainMs + 5000
  const timeoutMs = 120_000 + perStep * job.rates.length
  if (processes === 1) {
    const result = await runJob<FanoutResult>(job, windows.onEvent, timeoutMs)
    return { result, windows: windows.samples }
  }
  const parts = splitFanoutJob(job, processes)
  const barrier = new EventBarrier(parts.length, windows.onEvent)
  // A part that fails would leave the others waiting at the barrier until they time out: stop them at once.
  const abort = new AbortController()
  const results = await Promise.all(
    parts.map((part) =>
      runJob<FanoutResult>(part, barrier.onEvent, timeoutMs, abort.signal).catch((error: unknown) => {
        abort.abort()
        throw error
      }),
    ),
  )
  return { result: mergeFanoutResults(job, results), windows: windows.samples }
}

export const canvasNames = (runId: string, scenario: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${runId}-${scenario}-${i}`)

/** Said in S3's and S4's descriptions when the profile measures Jabiru's A/A twin. */
export const aaTwinSentence = (measured: boolean): string =>
  measured
    ? " `jabiru (A/A twin)` is a second, identical Jabiru: how far apart its tail and Jabiru's fall in a run is " +
      "the instrument's own spread, the yardstick for Jabiru's ratios to the peers."
    : ''
