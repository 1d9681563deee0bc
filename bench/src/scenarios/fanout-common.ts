/** Helpers for the fan-out scenarios (S2, S3, S4, S7, S8). */
import type { FanoutJob, FanoutResult } from '../load/jobs.ts'
import { runJob } from '../run/load-process.ts'
import type { RunningServer } from '../servers/launch.ts'
import { StepWindows, type WindowSample } from './metrics.ts'

export const P99_LIMIT_MS = 10
export const PADDING_CHARS = 60

export interface FanoutRun {
  readonly result: FanoutResult
  readonly windows: ReadonlyMap<number, WindowSample>
}

export const runFanoutOn = async (server: RunningServer, job: FanoutJob): Promise<FanoutRun> => {
  const windows = new StepWindows(server)
  const perStep = job.warmupMs + job.measureMs + job.drainMs + 5000
  const result = await runJob<FanoutResult>(job, windows.onEvent, 120_000 + perStep * job.rates.length)
  return { result, windows: windows.samples }
}

export const canvasNames = (runId: string, scenario: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${runId}-${scenario}-${i}`)
