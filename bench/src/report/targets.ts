/**
 * The issue's targets, evaluated on one result file. Every target is a ratio within a run, or an
 * absolute bound on Jabiru's own median, and is reported as met, missed, or not measured.
 */
import { type Spread, spread } from '../lib/stats.ts'
import type { BenchResults, RowResult, ScenarioResult } from '../run/results.ts'
import {
  HOCUSPOCUS,
  JABIRU,
  JABIRU_NO_JOURNAL,
  JABIRU_POSTGRES,
  JABIRU_TWIN,
  REFERENCE,
  RELAY,
} from '../servers/catalog.ts'
import { fmt, fmtRatio, fmtSpread } from './format.ts'
import { rowFor, runRatios, runValue } from './ratios.ts'
import { cpuAtCommonRates } from './s2-steps.ts'

export type Verdict = 'met' | 'MISSED' | 'not measured'

export interface TargetCheck {
  readonly target: string
  readonly measured: string
  readonly verdict: Verdict
}

/** The scenario `id` of a results file, unless it was skipped or not run. */
export const measuredScenario = (results: BenchResults, id: string): ScenarioResult | undefined => {
  const s = results.scenarios.find((x) => x.id === id)
  return s && !s.skipped ? (s as ScenarioResult) : undefined
}

const judge = (value: number, ok: (v: number) => boolean): Verdict =>
  Number.isNaN(value) ? 'not measured' : ok(value) ? 'met' : 'MISSED'

const ratioCheck = (
  s: ScenarioResult | undefined,
  peer: string,
  variant: string,
  metric: string,
  target: string,
  ok: (ratio: number) => boolean,
): TargetCheck => {
  const ours = s && rowFor(s, JABIRU.name)
  const other = s && rowFor(s, peer)
  if (!ours || !other) return { target, measured: 'not run', verdict: 'not measured' }
  const r: Spread = runRatios(ours, other, variant, metric)
  return { target, measured: `${fmtRatio(r)} (median of per-run ratios)`, verdict: judge(r.median, ok) }
}

/** Run by run, `row`'s p99 over the lowest of `others'` in that run; runs either side has no p99 for are left out. */
const perRunP99Ratios = (row: RowResult, others: readonly RowResult[], variant: string): number[] => {
  const ratios: number[] = []
  for (const { run } of row.runs) {
    const mine = runValue(row, run, variant, 'p99')
    const theirs = others.map((o) => runValue(o, run, variant, 'p99')).filter((v) => v !== undefined)
    if (mine === undefined || theirs.length === 0) continue
    const ratio = mine / Math.min(...theirs)
    // Both lost deliveries (an infinite p99 each): that run compares nothing.
    if (Number.isNaN(ratio)) continue
    ratios.push(ratio)
  }
  return ratios
}

// In run order; the median as every other number in the report takes it (the mean of the middle two of an even
// count).
const ratioList = (ratios: readonly number[]): string =>
  `${ratios.map((r) => `${r.toFixed(2)}×`).join(', ')} per run (median ${spread(ratios).median.toFixed(2)}×)`

/**
 * One tail target's rows in one run file, each as its per-run p99 over the better peer's (Hocuspocus and the
 * reference server). Beside Jabiru's: its A/A twin's (an identical Jabiru: how far apart the run put two equal
 * servers) and the raw relay's (the physical-limit line, which does no Yjs work: whether the run could tell any
 * server from the peers at all). A row the run did not measure has no ratios.
 */
export interface TailComparison {
  readonly jabiru: readonly number[]
  readonly twin: readonly number[]
  readonly jabiruToTwin: readonly number[]
  readonly relay: readonly number[]
}

export const tailComparison = (s: ScenarioResult, variant: string): TailComparison | undefined => {
  const ours = rowFor(s, JABIRU.name)
  const peers = [rowFor(s, HOCUSPOCUS.name), rowFor(s, REFERENCE.name)].filter((r) => r !== undefined)
  if (!ours || peers.length === 0) return undefined
  const twin = rowFor(s, JABIRU_TWIN.name)
  const relay = rowFor(s, RELAY.name)
  return {
    jabiru: perRunP99Ratios(ours, peers, variant),
    twin: twin ? perRunP99Ratios(twin, peers, variant) : [],
    jabiruToTwin: twin ? perRunP99Ratios(ours, [twin], variant) : [],
    relay: relay ? perRunP99Ratios(relay, peers, variant) : [],
  }
}

/** A tail target's rule: the median of the per-run ratios to the better peer is at most 1. */
export const meetsTailTarget = (ratios: readonly number[]): boolean => spread(ratios).median <= 1

/**
 * p99 ≤ the best peer's p99 in the same run. The A/A twin's and the raw relay's ratios (see TailComparison) are
 * reported beside it when the run measured them; the verdict stays Jabiru's own ratio.
 */
const p99VsBestPeer = (s: ScenarioResult | undefined, variant: string, label: string): TargetCheck => {
  const target = `${label}: Jabiru p99 ≤ best peer's p99 (same run)`
  const c = s && tailComparison(s, variant)
  if (!c) return { target, measured: 'not run', verdict: 'not measured' }
  if (c.jabiru.length === 0) return { target, measured: 'no comparable runs', verdict: 'not measured' }
  const control =
    c.twin.length > 0 && c.jabiruToTwin.length > 0
      ? `; A/A control: twin/best peer ${ratioList(c.twin)}, Jabiru/twin ${ratioList(c.jabiruToTwin)}`
      : ''
  const floor = c.relay.length > 0 ? `; physical limit: raw relay/best peer ${ratioList(c.relay)}` : ''
  return {
    target,
    measured: `Jabiru/best peer p99 ${ratioList(c.jabiru)}${control}${floor}`,
    verdict: meetsTailTarget(c.jabiru) ? 'met' : 'MISSED',
  }
}

export const checkTargets = (results: BenchResults): TargetCheck[] => {
  const s1 = measuredScenario(results, 'S1')
  const s2 = measuredScenario(results, 'S2')
  const s3 = measuredScenario(results, 'S3')
  const s4 = measuredScenario(results, 'S4')
  const s5 = measuredScenario(results, 'S5')
  const checks: TargetCheck[] = [
    ratioCheck(
      s2,
      HOCUSPOCUS.name,
      'ramp',
      'maxRate',
      'S2 highest rate with p99<10ms ≥ 1.5× Hocuspocus',
      (r) => r >= 1.5,
    ),
    ratioCheck(
      s2,
      RELAY.name,
      'ramp',
      'maxRate',
      'S2 highest rate with p99<10ms ≥ 0.5× raw relay',
      (r) => r >= 0.5,
    ),
  ]
  for (const v of s3?.variants ?? [{ key: 'c20', label: '20 clients' }]) {
    checks.push(p99VsBestPeer(s3, v.key, `S3 hot canvas, ${v.label}`))
  }
  checks.push(p99VsBestPeer(s4, 'quiet', 'S4 many quiet canvases'))
  const s1Row = s1 && rowFor(s1, JABIRU.name)
  const perConn = s1Row?.summary.storm?.rssPerConnKB
  checks.push({
    target: 'S1 RSS per idle connection ≤ 10 KB',
    measured: perConn?.runs.length ? `${fmtSpread(perConn, 'KB')} KB` : 'not run',
    verdict: perConn?.runs.length ? judge(perConn.median, (v) => v <= 10) : 'not measured',
  })
  const s5Row = s5 && rowFor(s5, JABIRU.name)
  const frag = s5Row?.summary['1000000-fragmented']?.p99One
  checks.push({
    target: 'S5 1 MB fragmented canvas synced to a joiner ≤ 200 ms',
    measured: frag?.runs.length ? `p99 ${fmtSpread(frag, 'ms')} ms (single joiner)` : 'not run',
    verdict: frag?.runs.length ? judge(frag.median, (v) => v <= 200) : 'not measured',
  })
  const s10 = measuredScenario(results, 'S10')
  const replay = s10 && rowFor(s10, JABIRU.name)?.summary.replay
  const replayPg = s10 && rowFor(s10, JABIRU_POSTGRES.name)?.summary.replay
  const replayP99 = replay?.p99
  checks.push({
    target: 'S10 replay to any version (GET …/versions/:version/ydoc) ≤ 50 ms',
    measured: replayP99?.runs.length
      ? `p99 ${fmtSpread(replayP99, 'ms')} ms, p50 ${fmtSpread(replay?.p50, 'ms')} ms` +
        (replayPg?.p99?.runs.length
          ? `; on PostgreSQL p99 ${fmtSpread(replayPg.p99, 'ms')} ms, p50 ${fmtSpread(replayPg.p50, 'ms')} ms`
          : '')
      : 'not run',
    verdict: replayP99?.runs.length ? judge(replayP99.median, (v) => v <= 50) : 'not measured',
  })
  const on = s2 && rowFor(s2, JABIRU.name)
  const off = s2 && rowFor(s2, JABIRU_NO_JOURNAL.name)
  if (on && off) {
    const r = runRatios(on, off, 'ramp', 'maxRate')
    const cost = 1 - r.median
    // The verdict is the issue's measure; the CPU comparison beside it is the steadier evidence of the same cost.
    const cpu = cpuAtCommonRates(on, off)
    checks.push({
      target: 'Journal on costs ≤ 20% of S2 highest rate',
      measured:
        `on/off ${fmtRatio(r)} → cost ${Number.isNaN(cost) ? '–' : `${fmt(cost * 100, '%')} %`}` +
        (cpu.runs.length > 0 ? `; server CPU at the rates both kept up with, on/off ${fmtRatio(cpu)}` : ''),
      verdict: judge(cost, (c) => c <= 0.2),
    })
  } else {
    checks.push({
      target: 'Journal on costs ≤ 20% of S2 highest rate',
      measured: 'not run',
      verdict: 'not measured',
    })
  }
  return checks
}
