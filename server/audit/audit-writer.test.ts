import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { AuditRow } from '../../persistence/sql/audit-store.ts'
import { waitFor } from '../../test/support/wait.ts'
import { createLogger } from '../logger.ts'
import { type AuditEvent, AuditWriter } from './audit-writer.ts'

const log = createLogger('silent')
const HOUR_MS = 3600_000

/** A store that records inserted batches and fails the next `failures` inserts. */
function fakeStore(failures = 0) {
  const batches: AuditRow[][] = []
  let failing = failures
  return {
    batches,
    rows: () => batches.flat(),
    async insertMany(rows: readonly AuditRow[]) {
      if (failing > 0) {
        failing--
        throw new Error('database unavailable')
      }
      batches.push([...rows])
    },
  }
}

const event = (n: number): AuditEvent => ({
  action: `test.action_${n}`,
  resourceType: 'canvas',
  resourceId: null,
  userId: null,
  organizationId: null,
})

test('a full batch is written at once, without waiting for the interval', async () => {
  const store = fakeStore()
  const writer = new AuditWriter(store, { flushIntervalMs: HOUR_MS, batchSize: 3, log })
  writer.audit(event(1))
  writer.audit(event(2))
  assert.is(store.rows().length, 0, 'below the batch size nothing is written yet')
  writer.audit(event(3))
  await waitFor('batch write', () => (store.rows().length === 3 ? true : undefined))
  assert.equal(
    store.rows().map((row) => row.action),
    ['test.action_1', 'test.action_2', 'test.action_3'],
  )
  await writer.close()
})

test('rows below the batch size are written after the interval', async () => {
  const store = fakeStore()
  const writer = new AuditWriter(store, { flushIntervalMs: 20, batchSize: 100, log })
  writer.audit(event(1))
  assert.is(writer.pending, 1)
  await waitFor('interval write', () => (store.rows().length === 1 ? true : undefined))
  assert.is(writer.pending, 0)
  await writer.close()
})

test('a failed write keeps the rows, retries, and writes each row exactly once in order', async () => {
  const store = fakeStore(2)
  const writer = new AuditWriter(store, { flushIntervalMs: 10, batchSize: 2, log })
  for (let n = 1; n <= 5; n++) writer.audit(event(n))
  await waitFor('retried writes', () => (store.rows().length === 5 ? true : undefined))
  assert.equal(
    store.rows().map((row) => row.action),
    [1, 2, 3, 4, 5].map((n) => `test.action_${n}`),
  )
  await writer.close()
  assert.is(store.rows().length, 5)
})

test('close drains everything queued (graceful stop loses nothing)', async () => {
  const store = fakeStore()
  const writer = new AuditWriter(store, { flushIntervalMs: HOUR_MS, batchSize: 10_000, log })
  for (let n = 0; n < 2500; n++) writer.audit(event(n))
  assert.is(store.rows().length, 0)
  await writer.close()
  assert.is(store.rows().length, 2500)
  assert.ok(
    store.batches.every((batch) => batch.length <= 1000),
    'large queues are split into bounded INSERTs',
  )
})

test('close rejects when storage keeps failing, and the rows are not silently dropped', async () => {
  const store = fakeStore(Number.POSITIVE_INFINITY)
  const writer = new AuditWriter(store, { flushIntervalMs: HOUR_MS, batchSize: 100, log })
  writer.audit(event(1))
  let failed = false
  await writer.close().catch((error: unknown) => {
    failed = error instanceof Error && error.message.includes('1 audit rows')
  })
  assert.ok(failed)
  assert.is(writer.pending, 1)
})

test('rows carry the time of the action, not of the write', async () => {
  const store = fakeStore()
  const at = new Date('2024-01-15T10:30:00.000Z')
  const writer = new AuditWriter(store, { flushIntervalMs: HOUR_MS, batchSize: 100, log, now: () => at })
  writer.audit({ ...event(1), changes: { name: { from: 'a', to: 'b' } }, ipAddress: '10.0.0.1' })
  await writer.close()
  const [row] = store.rows()
  assert.equal(row?.createdAt, at)
  assert.equal(row?.changes, { name: { from: 'a', to: 'b' } })
  assert.is(row?.ipAddress, '10.0.0.1')
  assert.is(row?.userAgent, null)
})

test.run()
