import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { MessageBudget } from './message-budget.ts'
import { TokenBucket } from './token-bucket.ts'

/** A clock the test moves by hand (ms). */
function manualClock() {
  let now = 0
  return { now: () => now, advance: (ms: number) => (now += ms) }
}

test('a bucket allows its burst at once, then refills at its rate, never beyond capacity', () => {
  const clock = manualClock()
  const bucket = new TokenBucket(10, 5, clock.now)
  for (let i = 0; i < 5; i++) assert.ok(bucket.take(1), `burst ${i}`)
  assert.not.ok(bucket.take(1), 'empty')
  clock.advance(100)
  assert.ok(bucket.take(1), 'one token after 100 ms at 10/s')
  assert.not.ok(bucket.take(1))
  clock.advance(60_000)
  for (let i = 0; i < 5; i++) assert.ok(bucket.take(1), `refilled ${i}`)
  assert.not.ok(bucket.take(1), 'capacity bounds the refill')
})

test('a refused take spends nothing', () => {
  const clock = manualClock()
  const bucket = new TokenBucket(1, 10, clock.now)
  assert.not.ok(bucket.take(11))
  assert.ok(bucket.take(10))
})

test('bad parameters are refused', () => {
  assert.throws(() => new TokenBucket(0, 1), RangeError)
  assert.throws(() => new TokenBucket(1, 0), RangeError)
  assert.throws(() => new TokenBucket(Number.NaN, 1), RangeError)
})

test('a message budget trips on message count or on bytes, whichever runs out first', () => {
  const clock = manualClock()
  const byCount = new MessageBudget(
    { messagesPerSecond: 10, messageBurst: 3, bytesPerSecond: 1e9, byteBurst: 1e9 },
    clock.now,
  )
  assert.ok(byCount.allow(1) && byCount.allow(1) && byCount.allow(1))
  assert.not.ok(byCount.allow(1))

  const byBytes = new MessageBudget(
    { messagesPerSecond: 1000, messageBurst: 1000, bytesPerSecond: 1000, byteBurst: 4000 },
    clock.now,
  )
  assert.ok(byBytes.allow(3000))
  assert.not.ok(byBytes.allow(3000))
  clock.advance(2000)
  assert.ok(byBytes.allow(3000), 'bytes refill over time')
})

test.run()
