import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { RowResult, RunOutcome } from '../run/results.ts'
import { cpuAtCommonRates, rampSteps } from './s2-steps.ts'

interface StepSpec {
  readonly rate: number
  readonly p99: number
  readonly cpu?: number
  readonly missing?: number
}

/** A step as s2-saturation.ts writes it (the fields the reader looks at, and some it ignores). */
const step = ({ rate, p99, cpu, missing = 0 }: StepSpec): Record<string, unknown> => ({
  rate,
  sentPerSec: rate,
  latencyMs: { count: 100, missing, p50: 0.3, p90: 0.5, p99, max: p99 + 1, mean: 0.4 },
  server: cpu === undefined ? null : { cpu, eld: { p50: 0, p99: 1, max: 2, samples: 10 }, rss: 1 },
})

const row = (server: string, runs: readonly (readonly StepSpec[] | null)[]): RowResult => ({
  server,
  runs: runs.map(
    (steps, i): RunOutcome =>
      steps === null
        ? { run: i + 1, error: 'crashed', seconds: 1 }
        : { run: i + 1, values: {}, details: { steps: steps.map(step) }, seconds: 1 },
  ),
  summary: {},
})

test('rampSteps: a step kept up when p99 is under 10 ms with nothing lost', () => {
  const steps = rampSteps({
    steps: [
      step({ rate: 1000, p99: 2, cpu: 0.2 }),
      step({ rate: 2000, p99: 10, cpu: 0.3 }),
      step({ rate: 4000, p99: 3, cpu: 0.4, missing: 1 }),
      step({ rate: 6000, p99: 9.9 }),
    ],
  })
  assert.equal(steps, [
    { rate: 1000, keptUp: true, cpu: 0.2 },
    { rate: 2000, keptUp: false, cpu: 0.3 },
    { rate: 4000, keptUp: false, cpu: 0.4 },
    { rate: 6000, keptUp: true, cpu: null },
  ])
})

test('rampSteps: details of another shape, or malformed steps, give nothing rather than throwing', () => {
  assert.equal(rampSteps(undefined), [])
  assert.equal(rampSteps({ steps: 'no' }), [])
  assert.equal(rampSteps([step({ rate: 1000, p99: 1, cpu: 0.1 })]), [])
  assert.equal(rampSteps({ steps: [null, { rate: 1000 }, { latencyMs: { p99: 1 } }] }), [])
  assert.equal(rampSteps({ steps: [{ rate: 1000, latencyMs: { p99: Number.NaN, missing: 0 } }] }), [
    { rate: 1000, keptUp: false, cpu: null },
  ])
})

test('cpuAtCommonRates: per run, summed over the rates both kept up with', () => {
  const on = row('on', [
    [
      { rate: 1000, p99: 2, cpu: 0.2 },
      { rate: 2000, p99: 3, cpu: 0.3 },
      { rate: 4000, p99: 4, cpu: 0.5 }, // off failed this step: not compared
      { rate: 6000, p99: 12, cpu: 0.9 }, // on failed: not compared
    ],
    [{ rate: 1000, p99: 2, cpu: 0.5 }],
  ])
  const off = row('off', [
    [
      { rate: 1000, p99: 2, cpu: 0.25 },
      { rate: 2000, p99: 3, cpu: 0.25 },
      { rate: 4000, p99: 11, cpu: 0.4 },
      { rate: 6000, p99: 5, cpu: 0.6 },
    ],
    [{ rate: 1000, p99: 2, cpu: 0.25 }],
  ])
  const r = cpuAtCommonRates(on, off)
  assert.equal(r.runs, [1, 2])
  assert.is(r.median, 1.5)
})

test('cpuAtCommonRates: runs that failed, or share no kept-up rate, are skipped', () => {
  const on = row('on', [null, [{ rate: 1000, p99: 20, cpu: 0.2 }], [{ rate: 1000, p99: 1, cpu: 0.4 }]])
  const off = row('off', [[{ rate: 1000, p99: 1, cpu: 0.2 }], [{ rate: 1000, p99: 1, cpu: 0.2 }], null])
  assert.equal(cpuAtCommonRates(on, off).runs, [])
  const noCpu = row('off', [[{ rate: 1000, p99: 1 }]])
  assert.equal(cpuAtCommonRates(row('on', [[{ rate: 1000, p99: 1, cpu: 0.2 }]]), noCpu).runs, [])
})

test.run()
