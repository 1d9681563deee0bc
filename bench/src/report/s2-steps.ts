/**
 * S2's ramp steps as a run's details hold them (s2-saturation.ts), read back from a results file, and the server
 * CPU of two rows compared at the rates both kept up with.
 */
import { type Spread, spread } from '../lib/stats.ts'
import type { RowResult } from '../run/results.ts'
import { keptUp } from '../scenarios/fanout-common.ts'

/** One step of the ramp, reduced to what a comparison needs; `cpu` is null when the server window was missing. */
export interface RampStep {
  readonly rate: number
  readonly keptUp: boolean
  readonly cpu: number | null
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const finite = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null

/** The steps of one run's details; malformed entries (older or hand-edited files) are left out. */
export const rampSteps = (details: unknown): RampStep[] => {
  if (!isRecord(details) || !Array.isArray(details.steps)) return []
  const steps: RampStep[] = []
  for (const step of details.steps) {
    if (!isRecord(step) || !isRecord(step.latencyMs)) continue
    const rate = finite(step.rate)
    const p99 = finite(step.latencyMs.p99)
    const missing = finite(step.latencyMs.missing)
    if (rate === null) continue
    const cpu = isRecord(step.server) ? finite(step.server.cpu) : null
    const kept = p99 !== null && missing !== null && keptUp({ p99, missing })
    steps.push({ rate, keptUp: kept, cpu })
  }
  return steps
}

/**
 * Per run, the server CPU of `row` over `baseline`'s, summed over the offered rates where both kept p99 under the
 * limit with nothing lost: the same work offered to both, so unlike the highest rate (decided by where a flat p99
 * curve first crosses 10 ms) this does not move by a whole step with one stall. Runs with no such rate are skipped.
 */
export const cpuAtCommonRates = (row: RowResult, baseline: RowResult): Spread => {
  const ratios: number[] = []
  for (const run of row.runs) {
    const other = baseline.runs.find((r) => r.run === run.run)
    if (other === undefined) continue
    const theirs = new Map<number, number>()
    for (const step of rampSteps(other.details)) {
      if (step.keptUp && step.cpu !== null) theirs.set(step.rate, step.cpu)
    }
    let mine = 0
    let base = 0
    for (const step of rampSteps(run.details)) {
      const cpu = theirs.get(step.rate)
      if (!step.keptUp || step.cpu === null || cpu === undefined) continue
      mine += step.cpu
      base += cpu
    }
    if (base > 0) ratios.push(mine / base)
  }
  return spread(ratios)
}
