import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { type Spread, spread } from '../lib/stats.ts'
import type { BenchResults, RowResult, RunOutcome, ScenarioResult, SkippedResult } from '../run/results.ts'
import { benchResults, row, scenario } from '../run/results-fixture.ts'
import {
  HOCUSPOCUS,
  JABIRU,
  JABIRU_NO_JOURNAL,
  JABIRU_POSTGRES,
  JABIRU_TWIN,
  REFERENCE,
  RELAY,
} from '../servers/catalog.ts'
import { checkTargets, type TargetCheck } from './targets.ts'

const S2_VS_HOCUSPOCUS = 'S2 highest rate with p99<10ms ≥ 1.5× Hocuspocus'
const S2_VS_RELAY = 'S2 highest rate with p99<10ms ≥ 0.5× raw relay'
const s3Target = (label: string): string => `S3 hot canvas, ${label}: Jabiru p99 ≤ best peer's p99 (same run)`
const S4 = "S4 many quiet canvases: Jabiru p99 ≤ best peer's p99 (same run)"
const S1 = 'S1 RSS per idle connection ≤ 10 KB'
const S5 = 'S5 1 MB fragmented canvas synced to a joiner ≤ 200 ms'
const S10 = 'S10 replay to any version (GET …/versions/:version/ydoc) ≤ 50 ms'
const JOURNAL = 'Journal on costs ≤ 20% of S2 highest rate'

/** A row judged on its summary (S1, S5, S10): variant → metric → spread over runs. */
const summaryRow = (server: string, summary: Record<string, Record<string, Spread>>): RowResult => ({
  server,
  runs: [],
  summary,
})

const bench = (...scenarios: (ScenarioResult | SkippedResult)[]): BenchResults => benchResults(scenarios)

/** The one check named `target`. */
const check = (results: BenchResults, target: string): TargetCheck => {
  const found = checkTargets(results).filter((c) => c.target === target)
  assert.is(found.length, 1, `one check named ${target}`)
  return found[0] as TargetCheck
}

const notMeasured = (c: TargetCheck, measured = 'not run'): void => {
  assert.is(c.verdict, 'not measured')
  assert.is(c.measured, measured)
}

// ---------------------------------------------------------------------------------------------- all targets

test('with no scenario run, every target is listed and not measured', () => {
  const checks = checkTargets(bench())
  assert.equal(
    checks.map((c) => c.target),
    [S2_VS_HOCUSPOCUS, S2_VS_RELAY, s3Target('20 clients'), S4, S1, S5, S10, JOURNAL],
  )
  for (const c of checks) notMeasured(c)
})

test('a skipped scenario counts as not run', () => {
  const skipped: SkippedResult = { id: 'S2', title: 'S2', skipped: 'no Jabiru' }
  notMeasured(check(bench(skipped), S2_VS_HOCUSPOCUS))
  notMeasured(check(bench(skipped), JOURNAL))
})

// ---------------------------------------------------------------------------------------------- S2

test('S2 vs Hocuspocus: met at a median per-run ratio of 1.5', () => {
  const s2 = scenario('S2', [
    row(JABIRU.name, 'ramp', 'maxRate', [15_000, 12_000, 18_000]),
    row(HOCUSPOCUS.name, 'ramp', 'maxRate', [10_000, 10_000, 10_000]),
  ])
  const c = check(bench(s2), S2_VS_HOCUSPOCUS)
  assert.is(c.verdict, 'met')
  assert.is(c.measured, '1.50× (1.20×–1.80×) (median of per-run ratios)')
})

test('S2 vs Hocuspocus: missed by the median of per-run ratios even when the ratio of medians passes', () => {
  // Per run 1.5, 1.2, 1.33 (median 1.33); the medians 15,000 / 10,000 would give 1.5.
  const s2 = scenario('S2', [
    row(JABIRU.name, 'ramp', 'maxRate', [15_000, 12_000, 40_000]),
    row(HOCUSPOCUS.name, 'ramp', 'maxRate', [10_000, 10_000, 30_000]),
  ])
  const c = check(bench(s2), S2_VS_HOCUSPOCUS)
  assert.is(c.verdict, 'MISSED')
  assert.is(c.measured, '1.33× (1.20×–1.50×) (median of per-run ratios)')
})

test('S2 vs the relay: met at 0.5×, missed below; judged apart from Hocuspocus', () => {
  const jabiru = row(JABIRU.name, 'ramp', 'maxRate', [10_000, 10_000, 10_000])
  const met = bench(scenario('S2', [jabiru, row(RELAY.name, 'ramp', 'maxRate', [20_000, 18_000, 25_000])]))
  assert.is(check(met, S2_VS_RELAY).verdict, 'met')
  notMeasured(check(met, S2_VS_HOCUSPOCUS))
  const missed = bench(scenario('S2', [jabiru, row(RELAY.name, 'ramp', 'maxRate', [21_000, 22_000, 19_000])]))
  assert.is(check(missed, S2_VS_RELAY).verdict, 'MISSED')
})

test('S2: a peer row without a single comparable run is not measured', () => {
  const s2 = scenario('S2', [
    row(JABIRU.name, 'ramp', 'maxRate', [10_000, 10_000]),
    row(HOCUSPOCUS.name, 'ramp', 'maxRate', [null, null]),
  ])
  notMeasured(check(bench(s2), S2_VS_HOCUSPOCUS), '– (median of per-run ratios)')
})

// ---------------------------------------------------------------------------------------------- S3, S4

test('S3: one check per variant, met when Jabiru p99 ≤ the best peer p99 of each run', () => {
  const variants = [
    { key: 'c5', label: '5 clients' },
    { key: 'c20', label: '20 clients' },
  ]
  const rows = (
    variant: string,
    jabiru: number[],
    hocuspocus: number[],
    reference: number[],
  ): RowResult[] => [
    row(JABIRU.name, variant, 'p99', jabiru),
    row(HOCUSPOCUS.name, variant, 'p99', hocuspocus),
    row(REFERENCE.name, variant, 'p99', reference),
  ]
  const [j5, h5, r5] = rows('c5', [2, 2, 2], [3, 3, 3], [2.5, 4, 4])
  const [j20, h20, r20] = rows('c20', [3, 3, 3], [2, 2, 2], [4, 4, 4])
  const merge = (a: RowResult | undefined, b: RowResult | undefined): RowResult => {
    if (!a || !b) throw new Error('fixture')
    return {
      server: a.server,
      runs: a.runs.map((run, i) => ({ ...run, values: { ...run.values, ...b.runs[i]?.values } })),
      summary: {},
    }
  }
  const s3 = scenario('S3', [merge(j5, j20), merge(h5, h20), merge(r5, r20)], variants)
  const checks = checkTargets(bench(s3))
  const five = checks.find((c) => c.target === s3Target('5 clients'))
  const twenty = checks.find((c) => c.target === s3Target('20 clients'))
  assert.is(five?.verdict, 'met')
  assert.is(five?.measured, 'Jabiru/best peer p99 0.80×, 0.67×, 0.67× per run (median 0.67×)')
  assert.is(twenty?.verdict, 'MISSED')
  assert.is(twenty?.measured, 'Jabiru/best peer p99 1.50×, 1.50×, 1.50× per run (median 1.50×)')
})

test('S3: the best peer is chosen run by run', () => {
  // Run 1: Hocuspocus 3 is best, run 2: the reference 3 is. Against the best of each run Jabiru is 1.1×
  // twice (missed); against either peer alone it would be 0.55× in one of those runs (met).
  const s3 = scenario(
    'S3',
    [
      row(JABIRU.name, 'c20', 'p99', [3.3, 3.3, 1]),
      row(HOCUSPOCUS.name, 'c20', 'p99', [3, 6, 2]),
      row(REFERENCE.name, 'c20', 'p99', [6, 3, 2]),
    ],
    [{ key: 'c20', label: '20 clients' }],
  )
  const c = check(bench(s3), s3Target('20 clients'))
  assert.is(c.verdict, 'MISSED')
  assert.is(c.measured, 'Jabiru/best peer p99 1.10×, 1.10×, 0.50× per run (median 1.10×)')
})

test('S3: equal p99 is met; one peer alone is enough; a peer run with NaN is ignored', () => {
  const variants = [{ key: 'c20', label: '20 clients' }]
  const equal = scenario(
    'S3',
    [row(JABIRU.name, 'c20', 'p99', [2, 2, 2]), row(REFERENCE.name, 'c20', 'p99', [2, 2, 2])],
    variants,
  )
  assert.is(check(bench(equal), s3Target('20 clients')).verdict, 'met')
  const nan = scenario(
    'S3',
    [
      row(JABIRU.name, 'c20', 'p99', [2, 2, 2]),
      row(HOCUSPOCUS.name, 'c20', 'p99', [Number.NaN, Number.NaN, Number.NaN]),
      row(REFERENCE.name, 'c20', 'p99', [1, 1, 4]),
    ],
    variants,
  )
  const c = check(bench(nan), s3Target('20 clients'))
  assert.is(c.verdict, 'MISSED')
  assert.is(c.measured, 'Jabiru/best peer p99 2.00×, 2.00×, 0.50× per run (median 2.00×)')
})

test('S3: without a peer row, or without a comparable run, not measured', () => {
  const variants = [{ key: 'c20', label: '20 clients' }]
  const noPeer = scenario('S3', [row(JABIRU.name, 'c20', 'p99', [2, 2, 2])], variants)
  notMeasured(check(bench(noPeer), s3Target('20 clients')))
  const noRuns = scenario(
    'S3',
    [row(JABIRU.name, 'c20', 'p99', [null, null]), row(HOCUSPOCUS.name, 'c20', 'p99', [2, 2])],
    variants,
  )
  notMeasured(check(bench(noRuns), s3Target('20 clients')), 'no comparable runs')
})

test("S3: with an even number of comparable runs the verdict uses the same median as the report's", () => {
  // Three runs, Jabiru's third failed: ratios 0.8 and 1.1. The median of two runs, as `spread` (and so every
  // other ratio in the report) takes it, is their mean, 0.95: met. The upper of the two (1.1) would miss.
  const s3 = scenario(
    'S3',
    [row(JABIRU.name, 'c20', 'p99', [0.8, 1.1, null]), row(HOCUSPOCUS.name, 'c20', 'p99', [1, 1, 1])],
    [{ key: 'c20', label: '20 clients' }],
  )
  const c = check(bench(s3), s3Target('20 clients'))
  assert.is(c.measured, 'Jabiru/best peer p99 0.80×, 1.10× per run (median 0.95×)')
  assert.is(c.verdict, 'met')
})

test('S3: a run where Jabiru and every peer lost deliveries compares nothing; one where only one did still counts', () => {
  const s3 = scenario(
    'S3',
    [
      row(JABIRU.name, 'c20', 'p99', [Number.POSITIVE_INFINITY, 2, Number.POSITIVE_INFINITY]),
      row(HOCUSPOCUS.name, 'c20', 'p99', [Number.POSITIVE_INFINITY, 4, 3]),
    ],
    [{ key: 'c20', label: '20 clients' }],
  )
  const c = check(bench(s3), s3Target('20 clients'))
  // Run 1 (both infinite) is left out; run 3 (only Jabiru infinite) is an infinite ratio, a miss.
  assert.is(c.measured, 'Jabiru/best peer p99 0.50×, Infinity× per run (median Infinity×)')
  assert.is(c.verdict, 'MISSED')
})

test("S3/S4: the A/A twin's and the raw relay's ratios are reported beside the verdict, which stays Jabiru's", () => {
  const variants = [{ key: 'c50', label: '50 clients' }]
  const s3 = scenario(
    'S3',
    [
      row(JABIRU.name, 'c50', 'p99', [3, 2, 4]),
      row(HOCUSPOCUS.name, 'c50', 'p99', [4, 2, 2]),
      row(REFERENCE.name, 'c50', 'p99', [2, 4, 5]),
      // The twin's second run failed: that run is left out of both of its comparisons.
      row(JABIRU_TWIN.name, 'c50', 'p99', [2, null, 5]),
      row(RELAY.name, 'c50', 'p99', [1, 3, 2]),
    ],
    variants,
  )
  const c = check(bench(s3), s3Target('50 clients'))
  assert.is(
    c.measured,
    'Jabiru/best peer p99 1.50×, 1.00×, 2.00× per run (median 1.50×); ' +
      'A/A control: twin/best peer 1.00×, 2.50× per run (median 1.75×), Jabiru/twin 1.50×, 0.80× per run (median 1.15×); ' +
      'physical limit: raw relay/best peer 0.50×, 1.50×, 1.00× per run (median 1.00×)',
    'the relay is not one of the peers: the best peer stays the better of Hocuspocus and the reference',
  )
  assert.is(
    c.verdict,
    'MISSED',
    "the twin missing too, or the relay meeting, does not change Jabiru's verdict",
  )
  const s4 = scenario('S4', [
    row(JABIRU.name, 'quiet', 'p99', [5, 5, 5]),
    row(REFERENCE.name, 'quiet', 'p99', [6, 6, 6]),
    row(JABIRU_TWIN.name, 'quiet', 'p99', [null, null, null]),
  ])
  const quiet = check(bench(s4), S4)
  assert.is(quiet.verdict, 'met')
  assert.is(
    quiet.measured,
    'Jabiru/best peer p99 0.83×, 0.83×, 0.83× per run (median 0.83×)',
    'no twin runs, no control',
  )
})

test('S4: judged on the quiet variant against the best peer', () => {
  const met = scenario('S4', [
    row(JABIRU.name, 'quiet', 'p99', [5, 6, 7]),
    row(REFERENCE.name, 'quiet', 'p99', [6, 6, 6]),
  ])
  assert.is(check(bench(met), S4).verdict, 'met')
  const missed = scenario('S4', [
    row(JABIRU.name, 'quiet', 'p99', [7, 8, 9]),
    row(HOCUSPOCUS.name, 'quiet', 'p99', [9, 6, 7]),
    row(REFERENCE.name, 'quiet', 'p99', [6, 7, 8]),
  ])
  assert.is(check(bench(missed), S4).verdict, 'MISSED')
  const lost = scenario('S4', [
    row(JABIRU.name, 'quiet', 'p99', [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, 5]),
    row(REFERENCE.name, 'quiet', 'p99', [6, 6, 6]),
  ])
  assert.is(check(bench(lost), S4).verdict, 'MISSED', 'lost deliveries (infinite p99) miss')
  const otherVariant = scenario('S4', [
    row(JABIRU.name, 'busy', 'p99', [5, 5, 5]),
    row(REFERENCE.name, 'busy', 'p99', [6, 6, 6]),
  ])
  notMeasured(check(bench(otherVariant), S4), 'no comparable runs')
})

// ---------------------------------------------------------------------------------------------- S1, S5, S10

test('S1: RSS per connection ≤ 10 KB by the median over runs', () => {
  const s1 = (runs: number[]): BenchResults =>
    bench(scenario('S1', [summaryRow(JABIRU.name, { storm: { rssPerConnKB: spread(runs) } })]))
  const met = check(s1([9, 10, 14]), S1)
  assert.is(met.verdict, 'met')
  assert.is(met.measured, '10.0 (9.00–14.0) KB')
  assert.is(check(s1([10.5, 10.2, 9]), S1).verdict, 'MISSED')
  notMeasured(check(s1([]), S1))
  notMeasured(check(bench(scenario('S1', [summaryRow(HOCUSPOCUS.name, {})])), S1))
})

test('S5: the 1 MB fragmented canvas, single joiner p99 ≤ 200 ms', () => {
  const s5 = (runs: number[]): BenchResults =>
    bench(scenario('S5', [summaryRow(JABIRU.name, { '1000000-fragmented': { p99One: spread(runs) } })]))
  const met = check(s5([150, 200, 260]), S5)
  assert.is(met.verdict, 'met')
  assert.is(met.measured, 'p99 200 (150–260) ms (single joiner)')
  assert.is(check(s5([210, 190, 250]), S5).verdict, 'MISSED')
  notMeasured(check(s5([]), S5))
  const otherSize = bench(scenario('S5', [summaryRow(JABIRU.name, { '1000000': { p99One: spread([1]) } })]))
  notMeasured(check(otherSize, S5))
})

test('S10: replay p99 ≤ 50 ms on the embedded database; PostgreSQL is reported beside it', () => {
  const replay = (p99: number[], p50: number[]): Record<string, Record<string, Spread>> => ({
    replay: { p99: spread(p99), p50: spread(p50) },
  })
  const met = check(
    bench(scenario('S10', [summaryRow(JABIRU.name, replay([40, 50, 45], [10, 10, 10]))])),
    S10,
  )
  assert.is(met.verdict, 'met')
  assert.is(met.measured, 'p99 45.0 (40.0–50.0) ms, p50 10.0 ms')
  const withPg = check(
    bench(
      scenario('S10', [
        summaryRow(JABIRU.name, replay([40, 40, 40], [10, 10, 10])),
        summaryRow(JABIRU_POSTGRES.name, replay([80, 80, 80], [20, 20, 20])),
      ]),
    ),
    S10,
  )
  assert.is(withPg.verdict, 'met', 'the verdict is on the embedded database')
  assert.is(withPg.measured, 'p99 40.0 ms, p50 10.0 ms; on PostgreSQL p99 80.0 ms, p50 20.0 ms')
  const atBound = check(
    bench(scenario('S10', [summaryRow(JABIRU.name, replay([40, 50, 60], [10, 10, 10]))])),
    S10,
  )
  assert.is(atBound.verdict, 'met', 'a median of exactly 50 ms')
  const missed = check(
    bench(scenario('S10', [summaryRow(JABIRU.name, replay([60, 51, 40], [10, 10, 10]))])),
    S10,
  )
  assert.is(missed.verdict, 'MISSED')
  notMeasured(check(bench(scenario('S10', [summaryRow(JABIRU_POSTGRES.name, replay([1], [1]))])), S10))
})

// ---------------------------------------------------------------------------------------------- journal cost

test('journal cost: 1 − the median of per-run on/off ratios, met up to 20 %', () => {
  const s2 = (on: (number | null)[], off: (number | null)[]): BenchResults =>
    bench(
      scenario('S2', [
        row(JABIRU.name, 'ramp', 'maxRate', on),
        row(JABIRU_NO_JOURNAL.name, 'ramp', 'maxRate', off),
      ]),
    )
  const met = check(s2([9_000, 9_000, 8_000], [10_000, 10_000, 10_000]), JOURNAL)
  assert.is(met.verdict, 'met')
  assert.is(met.measured, 'on/off 0.90× (0.80×–0.90×) → cost 10.0 %')
  const ratio = (on: number): TargetCheck => check(s2([on, on, on], [10_000, 10_000, 10_000]), JOURNAL)
  assert.is(ratio(8_000).verdict, 'met', '20 % (1 − 0.8 is a hair under 0.2 in floating point)')
  assert.is(ratio(7_990).verdict, 'MISSED', '20.1 %')
  const missed = check(s2([7_500, 9_000, 7_000], [10_000, 10_000, 10_000]), JOURNAL)
  assert.is(missed.verdict, 'MISSED')
  assert.is(missed.measured, 'on/off 0.75× (0.70×–0.90×) → cost 25.0 %')
  assert.is(
    check(s2([11_000, 11_000, 11_000], [10_000, 10_000, 10_000]), JOURNAL).verdict,
    'met',
    'journal on faster than off: a negative cost',
  )
})

test('journal cost: the server CPU at the rates both kept up with is shown beside it, without changing the verdict', () => {
  const ramp = (cpu: number, p99At4k: number): RunOutcome['details'] => ({
    steps: [
      { rate: 2000, latencyMs: { p99: 3, missing: 0 }, server: { cpu } },
      { rate: 4000, latencyMs: { p99: p99At4k, missing: 0 }, server: { cpu: 2 * cpu } },
    ],
  })
  const withSteps = (r: RowResult, details: readonly RunOutcome['details'][]): RowResult => ({
    ...r,
    runs: r.runs.map((run, i) => ({ ...run, details: details[i] })),
  })
  const on = withSteps(row(JABIRU.name, 'ramp', 'maxRate', [4_000, 2_000]), [ramp(0.2, 5), ramp(0.2, 12)])
  const off = withSteps(row(JABIRU_NO_JOURNAL.name, 'ramp', 'maxRate', [4_000, 4_000]), [
    ramp(0.4, 5),
    ramp(0.25, 5),
  ])
  const c = check(bench(scenario('S2', [on, off])), JOURNAL)
  // Run 1: (0.2 + 0.4) / (0.4 + 0.8); run 2 compares only 2,000 updates/s, where both kept up: 0.2 / 0.25.
  assert.is(
    c.measured,
    'on/off 0.75× (0.50×–1.00×) → cost 25.0 %; server CPU at the rates both kept up with, on/off 0.65× (0.50×–0.80×)',
  )
  assert.is(c.verdict, 'MISSED')
})

test('journal cost: void when the two rows have no run in common, not run without the journal-off row', () => {
  const voidCheck = check(
    bench(
      scenario('S2', [
        row(JABIRU.name, 'ramp', 'maxRate', [9_000, null]),
        row(JABIRU_NO_JOURNAL.name, 'ramp', 'maxRate', [null, 10_000]),
      ]),
    ),
    JOURNAL,
  )
  notMeasured(voidCheck, 'on/off – → cost –')
  notMeasured(check(bench(scenario('S2', [row(JABIRU.name, 'ramp', 'maxRate', [9_000])])), JOURNAL))
})

test.run()
