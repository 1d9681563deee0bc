import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { RowResult, RunOutcome, ScenarioResult } from '../run/results.ts'
import { rowFor, runComparison, runRatios } from './ratios.ts'

/** A row whose run k (1-based) has `metric` = values[k-1] in variant 'v'; null is a failed run (no values). */
const row = (server: string, values: readonly (number | null)[], metric = 'rate'): RowResult => ({
  server,
  runs: values.map(
    (value, i): RunOutcome =>
      value === null
        ? { run: i + 1, error: 'crashed', seconds: 1 }
        : { run: i + 1, values: { v: { [metric]: value } }, seconds: 1 },
  ),
  summary: {},
})

test('runRatios: ratio within each run, then the median over runs (not the ratio of the medians)', () => {
  const ours = row('ours', [10, 20, 30])
  const peer = row('peer', [10, 40, 10])
  const r = runRatios(ours, peer, 'v', 'rate')
  assert.equal(r.runs, [1, 0.5, 3])
  assert.is(r.median, 1)
  assert.is(r.min, 0.5)
  assert.is(r.max, 3)
  // The ratio of the medians would be 20 / 10 = 2.
})

test('runRatios pairs runs by run number, not by position', () => {
  const ours = row('ours', [10, 20, 30])
  const peer: RowResult = {
    server: 'peer',
    runs: [
      { run: 3, values: { v: { rate: 60 } }, seconds: 1 },
      { run: 1, values: { v: { rate: 5 } }, seconds: 1 },
      { run: 2, values: { v: { rate: 40 } }, seconds: 1 },
    ],
    summary: {},
  }
  assert.equal(runRatios(ours, peer, 'v', 'rate').runs, [2, 0.5, 0.5])
})

test('runRatios skips runs where either side failed, lacks the metric or has NaN', () => {
  const ours = row('ours', [10, null, 30, 40, Number.NaN])
  const peer = row('peer', [5, 10, null, 20, 10])
  assert.equal(runRatios(ours, peer, 'v', 'rate').runs, [2, 2])
  assert.equal(runRatios(ours, peer, 'v', 'other').runs, [], 'unknown metric')
  assert.equal(runRatios(ours, peer, 'w', 'rate').runs, [], 'unknown variant')
  assert.ok(Number.isNaN(runRatios(ours, peer, 'w', 'rate').median), 'no comparable run: NaN median')
})

test('runRatios against a zero: 1 when both are zero, infinite otherwise', () => {
  const r = runRatios(row('ours', [0, 5]), row('peer', [0, 0]), 'v', 'rate')
  assert.equal(r.runs, [1, Number.POSITIVE_INFINITY])
})

test('rowFor finds a row by server name', () => {
  const a = row('a', [1])
  const b = row('b', [2])
  const s: ScenarioResult = {
    id: 'S2',
    title: 't',
    description: 'd',
    variants: [],
    metrics: [],
    headline: [],
    rows: [a, b],
  }
  assert.is(rowFor(s, 'b'), b)
  assert.is(rowFor(s, 'c'), undefined)
})

test('runComparison: per-run ratio and difference, against another metric of the baseline if given', () => {
  const two: RowResult = {
    server: 'two instances',
    runs: [
      { run: 1, values: { v: { cross: 6, p99: 5 } }, seconds: 1 },
      { run: 2, values: { v: { cross: 9, p99: 4 } }, seconds: 1 },
      { run: 3, values: { v: { cross: 4, p99: 3 } }, seconds: 1 },
    ],
    summary: {},
  }
  const one = row('one instance', [3, 3, 4], 'p99')
  const same = runComparison(two, one, 'v', 'p99')
  assert.equal(same.ratio.runs, [5 / 3, 4 / 3, 3 / 4])
  assert.equal(same.diff.runs, [2, 1, -1])
  assert.is(same.diff.median, 1)
  const cross = runComparison(two, one, 'v', 'cross', 'p99')
  assert.equal(cross.ratio.runs, [2, 3, 1])
  assert.is(cross.ratio.median, 2)
  assert.equal(cross.diff.runs, [3, 6, 0])
})

test.run()
