import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { sendDueAtMs, sendsDue } from './schedule.ts'

test('a send made the moment it falls due has no lag', () => {
  // 250 sends/s: one every 4 ms. The schedule releases send i once i + 1 intervals have passed.
  for (const i of [0, 1, 7, 249]) {
    const at = sendDueAtMs(i, 250)
    assert.is(sendsDue(at, 250, 1000), i + 1, `send ${i} is due at ${at} ms`)
    assert.ok(sendsDue(at - 0.001, 250, 1000) <= i, `send ${i} is not due before ${at} ms`)
  }
})

test('lag is measured from the due time, not one interval earlier', () => {
  // Measured from i intervals after the start, every send lagged one interval more than it did (41 ms at 25/s).
  assert.is(sendDueAtMs(0, 25), 40)
  assert.is(sendDueAtMs(3, 25), 160)
})

test('no more sends fall due than the schedule holds', () => {
  assert.is(sendsDue(1_000_000, 250, 3000), 3000)
  assert.is(sendsDue(0, 250, 3000), 0)
})

test.run()
