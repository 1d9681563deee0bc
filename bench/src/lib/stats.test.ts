import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Samples, spread, summarize } from './stats.ts'

/** 1..n in a scrambled order (a fixed permutation, so no randomness in the tests). */
const scrambled = (n: number): number[] => Array.from({ length: n }, (_, i) => ((i * 37) % n) + 1)

test('summarize: nearest-rank percentiles, max and mean of the delivered samples', () => {
  const values = scrambled(100)
  assert.equal(new Set(values).size, 100, 'the fixture is a permutation of 1..100')
  const s = summarize(values)
  assert.equal(s, { count: 100, missing: 0, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 })
})

test('summarize: a rank between two samples rounds up to the next sample (nearest rank)', () => {
  // 7 samples: the 90th percentile is the 6.3th, so the 7th; the median the 3.5th, so the 4th.
  const s = summarize([7, 1, 6, 2, 5, 3, 4])
  assert.is(s.p50, 4)
  assert.is(s.p90, 7)
  assert.is(s.p99, 7)
  assert.is(summarize(scrambled(50)).p99, 50, 'the 49.5th of 50 is the 50th')
})

test('summarize sorts numerically, not as text, and leaves its input alone', () => {
  const input = Float64Array.from([10, 9, 100, 2])
  const s = summarize(input)
  assert.is(s.p50, 9)
  assert.is(s.p90, 100)
  assert.is(s.max, 100)
  assert.is(s.mean, 30.25)
  assert.equal([...input], [10, 9, 100, 2])
})

test('summarize: missing deliveries count as infinite latency in the percentiles and the max', () => {
  // 98 delivered + 2 lost = 100 deliveries: the 99th is one of the lost ones.
  const lost2 = summarize(scrambled(98), 2)
  assert.is(lost2.count, 98)
  assert.is(lost2.missing, 2)
  assert.is(lost2.p50, 50)
  assert.is(lost2.p90, 90)
  assert.is(lost2.p99, Number.POSITIVE_INFINITY)
  assert.is(lost2.max, Number.POSITIVE_INFINITY)
  assert.is(lost2.mean, 49.5, 'the mean is over the delivered samples only')

  // 99 delivered + 1 lost: the p99 is still a delivered sample, the max is not.
  const lost1 = summarize(scrambled(99), 1)
  assert.is(lost1.p99, 99)
  assert.is(lost1.max, Number.POSITIVE_INFINITY)

  // Losses shift the ranks: 50 delivered + 50 lost puts the median among the lost ones.
  const half = summarize(scrambled(50), 50)
  assert.is(half.p50, 50)
  assert.is(summarize(scrambled(50), 51).p50, Number.POSITIVE_INFINITY)
})

test('summarize: nothing delivered', () => {
  const allLost = summarize([], 5)
  assert.is(allLost.p50, Number.POSITIVE_INFINITY)
  assert.is(allLost.p99, Number.POSITIVE_INFINITY)
  assert.is(allLost.max, Number.POSITIVE_INFINITY)
  assert.ok(Number.isNaN(allLost.mean))

  const nothing = summarize([])
  assert.is(nothing.count, 0)
  for (const v of [nothing.p50, nothing.p90, nothing.p99, nothing.max, nothing.mean]) {
    assert.ok(Number.isNaN(v), `expected NaN, got ${v}`)
  }

  const one = summarize([7.5])
  assert.equal(one, { count: 1, missing: 0, p50: 7.5, p90: 7.5, p99: 7.5, max: 7.5, mean: 7.5 })
})

test('Samples grows past its initial capacity and keeps the order of additions', () => {
  const samples = new Samples()
  const values = scrambled(5000)
  for (const v of values) samples.add(v)
  assert.is(samples.count, 5000)
  assert.equal([...samples.values()], values)
  assert.equal(samples.summarize(), summarize(values))
  assert.equal(samples.summarize(100), summarize(values, 100))
  assert.is(samples.summarize(100).p99, Number.POSITIVE_INFINITY, '100 lost of 5,100 is more than 1 %')
})

test('Samples.values() is a copy', () => {
  const samples = new Samples()
  samples.add(1)
  samples.add(2)
  const copy = samples.values()
  copy[0] = 99
  assert.equal([...samples.values()], [1, 2])
  assert.is(samples.summarize().max, 2)
})

test('spread: median, min and max over runs; the runs kept in their order', () => {
  assert.equal(spread([3, 1, 2]), { median: 2, min: 1, max: 3, runs: [3, 1, 2] })
  assert.equal(spread([40, 10, 30, 20]), { median: 25, min: 10, max: 40, runs: [40, 10, 30, 20] })
  assert.equal(spread([5]), { median: 5, min: 5, max: 5, runs: [5] })
  // Numeric order, not text order (the default sort would put 100 before 9).
  assert.equal(spread([9, 100, 10]).median, 10)
  const runs = [3, 1, 2]
  spread(runs)
  assert.equal(runs, [3, 1, 2], 'the input is not sorted in place')
})

test('spread of no runs is NaN with no runs', () => {
  const s = spread([])
  assert.ok(Number.isNaN(s.median))
  assert.ok(Number.isNaN(s.min))
  assert.ok(Number.isNaN(s.max))
  assert.equal(s.runs, [])
})

test('spread keeps an infinite run (a run with lost deliveries) as the max', () => {
  const s = spread([2, Number.POSITIVE_INFINITY, 3])
  assert.is(s.median, 3)
  assert.is(s.max, Number.POSITIVE_INFINITY)
})

test.run()
