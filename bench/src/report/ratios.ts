/** Ratios between rows of the same run (Jabiru's value over a peer's, run by run). */
import { type Spread, spread } from '../lib/stats.ts'
import type { RowResult, ScenarioResult } from '../run/results.ts'

/** `row`'s value of `variant.metric` in run `run`, or undefined when the run has none (failed, missing or NaN). */
export const runValue = (
  row: RowResult,
  run: number,
  variant: string,
  metric: string,
): number | undefined => {
  const v = row.runs.find((r) => r.run === run)?.values?.[variant]?.[metric]
  return typeof v === 'number' && !Number.isNaN(v) ? v : undefined
}

/** Per-run ratio ours/peer for one metric and variant; runs where either side is missing are skipped. */
export const runRatios = (ours: RowResult, peer: RowResult, variant: string, metric: string): Spread => {
  const ratios: number[] = []
  for (const r of ours.runs) {
    const a = runValue(ours, r.run, variant, metric)
    const b = runValue(peer, r.run, variant, metric)
    if (a === undefined || b === undefined) continue
    if (b === 0) ratios.push(a === 0 ? 1 : Number.POSITIVE_INFINITY)
    else ratios.push(a / b)
  }
  return spread(ratios)
}

export const rowFor = (s: ScenarioResult, server: string): RowResult | undefined =>
  s.rows.find((r) => r.server === server)

/** Per-run ratio and difference of `row`'s metric against `baseline`'s (another metric if given). */
export const runComparison = (
  row: RowResult,
  baseline: RowResult,
  variant: string,
  metric: string,
  baselineMetric = metric,
): { readonly ratio: Spread; readonly diff: Spread } => {
  const ratios: number[] = []
  const diffs: number[] = []
  for (const r of row.runs) {
    const a = runValue(row, r.run, variant, metric)
    const b = runValue(baseline, r.run, variant, baselineMetric)
    if (a === undefined || b === undefined) continue
    ratios.push(b === 0 ? (a === 0 ? 1 : Number.POSITIVE_INFINITY) : a / b)
    diffs.push(a - b)
  }
  return { ratio: spread(ratios), diff: spread(diffs) }
}
