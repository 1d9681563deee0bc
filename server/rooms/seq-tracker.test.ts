import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SeqTracker } from './seq-tracker.ts'

test('in-order seqs advance contiguously', () => {
  const t = new SeqTracker(3)
  t.mark(4)
  t.mark(5)
  assert.is(t.contiguous, 5)
  assert.not.ok(t.hasGap)
})

test('a gap holds contiguous back until filled', () => {
  const t = new SeqTracker(0)
  t.mark(1)
  t.mark(3)
  t.mark(4)
  assert.is(t.contiguous, 1)
  assert.ok(t.hasGap)
  assert.is(t.highest, 4)
  t.mark(2)
  assert.is(t.contiguous, 4)
  assert.not.ok(t.hasGap)
})

test('repair jumps over what storage held', () => {
  const t = new SeqTracker(0)
  t.mark(5)
  t.mark(7)
  t.markAllUpTo(5)
  assert.is(t.contiguous, 5)
  assert.ok(t.hasGap)
  t.markAllUpTo(6)
  assert.is(t.contiguous, 7)
  assert.not.ok(t.hasGap)
})

test.run()
