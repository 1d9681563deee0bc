/** Test fixtures: a results file's shape with placeholder machine facts, for tests of what reads one. */
import type { VariantDef } from '../scenarios/types.ts'
import type {
  BenchResults,
  MachineInfo,
  RowResult,
  RunOutcome,
  ScenarioResult,
  SkippedResult,
} from './results.ts'

export const TEST_MACHINE: MachineInfo = {
  cpuModel: 'test',
  cores: 2,
  memoryGiB: 4,
  node: 'v20',
  os: 'linux',
  pinned: true,
  nice: 0,
  loadAverageAtStart: [0, 0, 0],
  loadAverageAtEnd: [0, 0, 0],
  jabiruCommit: 'abc1234',
}

/** A full-profile results file of three runs holding `scenarios`, measured on `machine`. */
export const benchResults = (
  scenarios: readonly (ScenarioResult | SkippedResult)[],
  machine: MachineInfo = TEST_MACHINE,
): BenchResults => ({
  generatedAt: '2026-01-01T00:00:00.000Z',
  profile: 'full',
  benchId: 'test',
  runs: 3,
  machine,
  jabiru: { available: true },
  scenarios,
  profiles: [],
  elapsedSeconds: 1,
})

/** A row whose run k (1-based) has `variant.metric` = values[k-1]; null is a failed run (no values). */
export const row = (
  server: string,
  variant: string,
  metric: string,
  values: readonly (number | null)[],
): RowResult => ({
  server,
  runs: values.map(
    (value, i): RunOutcome =>
      value === null
        ? { run: i + 1, error: 'crashed', seconds: 1 }
        : { run: i + 1, values: { [variant]: { [metric]: value } }, seconds: 1 },
  ),
  summary: {},
})

/** A scenario result holding `rows`, with no metrics or headline (what reads targets and ratios needs). */
export const scenario = (
  id: string,
  rows: readonly RowResult[],
  variants: readonly VariantDef[] = [],
): ScenarioResult => ({
  id,
  title: id,
  description: '',
  variants,
  metrics: [],
  headline: [],
  rows,
})
