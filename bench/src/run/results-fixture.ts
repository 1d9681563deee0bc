/** Test fixtures: a results file's shape with placeholder machine facts, for tests of what reads one. */
import type { BenchResults, MachineInfo, ScenarioResult, SkippedResult } from './results.ts'

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
