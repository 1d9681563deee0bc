import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spread } from '../lib/stats.ts'
import { fmt, fmtRatio, fmtSpread } from './format.ts'

test('fmt: NaN is a dash, infinity is a loss', () => {
  assert.is(fmt(Number.NaN, 'ms'), '–')
  assert.is(fmt(Number.POSITIVE_INFINITY, 'ms'), '∞ (lost)')
})

test('fmt: rates and counts are whole numbers with thousands separators', () => {
  assert.is(fmt(12_345.6, 'upd/s'), '12,346')
  assert.is(fmt(999.4, 'conn/s'), '999')
  assert.is(fmt(1_000_000, 'count'), '1,000,000')
  assert.is(fmt(2.5, 'count'), '3')
})

test('fmt: three significant places or so for everything else', () => {
  assert.is(fmt(123.456, 'ms'), '123')
  assert.is(fmt(100, 'ms'), '100')
  assert.is(fmt(12.34, 'ms'), '12.3')
  assert.is(fmt(10, 'KB'), '10.0')
  assert.is(fmt(1.234, 'ms'), '1.23')
  assert.is(fmt(0, 'ms'), '0.00')
  assert.is(fmt(-250, 'ms'), '-250')
  assert.is(fmt(-1.5, 'ms'), '-1.50')
  // Rounding up to the next magnitude takes that magnitude's precision.
  assert.is(fmt(9.999999999999998, '%'), '10.0')
  assert.is(fmt(99.96, 'ms'), '100')
  assert.is(fmt(9.99, 'ms'), '9.99')
  assert.is(fmt(99.9, 'ms'), '99.9')
  assert.is(fmt(-9.999, 'ms'), '-10.0')
})

test('fmtSpread: median, with (min–max) when the runs differ', () => {
  assert.is(fmtSpread(undefined, 'ms'), '–')
  assert.is(fmtSpread(spread([]), 'ms'), '–')
  assert.is(fmtSpread(spread([4.2]), 'ms'), '4.20')
  assert.is(fmtSpread(spread([7, 7, 7]), 'ms'), '7.00')
  assert.is(fmtSpread(spread([150, 2, 12]), 'ms'), '12.0 (2.00–150)')
  assert.is(fmtSpread(spread([9000, 11_000, 10_000]), 'upd/s'), '10,000 (9,000–11,000)')
  assert.is(fmtSpread(spread([3, Number.POSITIVE_INFINITY, 4]), 'ms'), '4.00 (3.00–∞ (lost))')
})

test('fmtRatio: two decimals and ×; infinity as ∞', () => {
  assert.is(fmtRatio(spread([])), '–')
  assert.is(fmtRatio(spread([1.5])), '1.50×')
  assert.is(fmtRatio(spread([1.2, 1.5, 1.8])), '1.50× (1.20×–1.80×)')
  assert.is(fmtRatio(spread([0.5, 0.5])), '0.50×')
  assert.is(fmtRatio(spread([1, Number.POSITIVE_INFINITY, 2])), '2.00× (1.00×–∞)')
})

test.run()
