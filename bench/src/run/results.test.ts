import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { summarize } from '../lib/stats.ts'
import { fromJson, toJson } from './results.ts'

test('toJson stores infinities as "inf" / "-inf" and NaN as null', () => {
  const text = toJson({
    p99: Number.POSITIVE_INFINITY,
    low: Number.NEGATIVE_INFINITY,
    mean: Number.NaN,
    n: 3,
  })
  assert.equal(JSON.parse(text), { p99: 'inf', low: '-inf', mean: null, n: 3 })
  assert.ok(text.includes('\n  "p99": "inf"'), 'indented by two spaces')
})

test('fromJson reads them back: a summary with lost deliveries and an empty one round trip', () => {
  const lost = summarize([1, 2, 3], 1)
  const empty = summarize([])
  const back = fromJson(toJson({ scenarios: [{ lost, empty }] })) as unknown as {
    scenarios: { lost: unknown; empty: Record<string, number> }[]
  }
  const [first] = back.scenarios
  assert.equal(first?.lost, lost)
  assert.is(first?.empty.count, 0)
  assert.ok(Number.isNaN(first?.empty.p99))
  assert.ok(Number.isNaN(first?.empty.mean))
})

test.run()
