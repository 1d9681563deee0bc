/**
 * The tail targets (S3 per client count, S4) over every committed full run: how often Jabiru met each, and how often
 * the raw relay and the A/A twin would have met it by the same rule. One run's verdict on a tail is a draw from the
 * machine's spread; the tally over many runs is what tells a server's tail from its peers'.
 */
import { spread } from '../lib/stats.ts'
import type { BenchResults } from '../run/results.ts'
import { measuredScenario, meetsTailTarget, tailComparison } from './targets.ts'

/** Runs that measured a row, how many of them met the target's rule, and the per-file medians' spread. */
export interface TailTally {
  readonly files: number
  readonly met: number
  readonly medians: readonly number[]
}

export interface TailHistoryRow {
  readonly target: string
  readonly jabiru: TailTally
  readonly relay: TailTally
  readonly twin: TailTally
}

const tally = (perFile: readonly (readonly number[])[]): TailTally => {
  const measured = perFile.filter((ratios) => ratios.length > 0)
  return {
    files: measured.length,
    met: measured.filter(meetsTailTarget).length,
    medians: measured.map((ratios) => spread(ratios).median),
  }
}

/** Tail targets in the order they first appear; files without Jabiru in a scenario are left out of its rows. */
export const tailHistory = (files: readonly BenchResults[]): TailHistoryRow[] => {
  const byTarget = new Map<
    string,
    { jabiru: (readonly number[])[]; relay: (readonly number[])[]; twin: (readonly number[])[] }
  >()
  for (const file of files) {
    for (const id of ['S3', 'S4']) {
      const s = measuredScenario(file, id)
      if (!s) continue
      for (const variant of s.variants) {
        const c = tailComparison(s, variant.key)
        if (!c || c.jabiru.length === 0) continue
        const target = id === 'S3' ? `S3, ${variant.label}` : 'S4'
        const lists = byTarget.get(target) ?? { jabiru: [], relay: [], twin: [] }
        byTarget.set(target, lists)
        lists.jabiru.push(c.jabiru)
        lists.relay.push(c.relay)
        lists.twin.push(c.twin)
      }
    }
  }
  return [...byTarget].map(([target, lists]) => ({
    target,
    jabiru: tally(lists.jabiru),
    relay: tally(lists.relay),
    twin: tally(lists.twin),
  }))
}
