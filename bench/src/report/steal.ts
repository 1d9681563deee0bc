/** The hypervisor steal recorded with each run (run/cpu-steal.ts), as one sentence under a scenario's tables. */
import type { ScenarioResult } from '../run/results.ts'

/** "core 0 / core 1" of one run, one decimal each: the server's core and the load processes' core. */
const runSteal = (percents: readonly number[]): string =>
  percents
    .slice(0, 2)
    .map((p) => p.toFixed(1))
    .join(' / ')

/** Null when no run of the scenario recorded steal (older result files, or not Linux). */
export const stealSentence = (s: ScenarioResult): string | null => {
  const parts: string[] = []
  for (const row of s.rows) {
    const runs: string[] = []
    for (const run of row.runs) if (run.stealPercent !== undefined) runs.push(runSteal(run.stealPercent))
    if (runs.length) parts.push(`${row.server} ${runs.join(', ')}`)
  }
  if (!parts.length) return null
  return (
    'Hypervisor steal during each run, % of the server core / the load core (time the host gave elsewhere; a ' +
    `row slow with high steal was slowed by the machine): ${parts.join('; ')}.`
  )
}
