/**
 * Hypervisor steal per core: the share of a core's time the host gave to someone else while this machine wanted it.
 * On a virtual machine a server can be slow because its core was not there; the per-core calibration shows that at
 * a run's start and end, steal shows it for each measured server, so a slow row can be told from a slow core.
 */
import { readFileSync } from 'node:fs'

/** Cumulative ticks of one core since boot (Linux /proc/stat). */
export interface CoreTicks {
  readonly core: number
  readonly steal: number
  readonly total: number
}

/**
 * Parses the per-core lines of /proc/stat ("cpuN user nice system idle iowait irq softirq steal ..."). Guest time is
 * already counted in user and nice, so the total is the first eight fields.
 */
export const parseProcStat = (text: string): CoreTicks[] => {
  const cores: CoreTicks[] = []
  for (const line of text.split('\n')) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line)
    if (!match) continue
    const fields = (match[2] ?? '').trim().split(/\s+/).slice(0, 8).map(Number)
    if (fields.length < 8 || fields.some((n) => !Number.isFinite(n))) continue
    cores.push({
      core: Number(match[1]),
      steal: fields[7] ?? 0,
      total: fields.reduce((sum, n) => sum + n, 0),
    })
  }
  return cores
}

/** Now, or null where there is no /proc/stat (not Linux): steal is then simply not recorded. */
export const readCoreTicks = (): CoreTicks[] | null => {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

/** Percent of core 0's, core 1's, ... time stolen between two readings, rounded to 0.1 (0 for no time passed). */
export const stealPercent = (before: readonly CoreTicks[], after: readonly CoreTicks[]): number[] =>
  after.map((end) => {
    const start = before.find((c) => c.core === end.core)
    const total = start ? end.total - start.total : 0
    return start && total > 0 ? Math.round(((end.steal - start.steal) / total) * 1000) / 10 : 0
  })
