import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { BatchedReads } from './batched-reads.ts'

/** A readMany that records each query's keys and answers from `table`. */
function recorder(table: Record<string, number>) {
  const queries: string[][] = []
  const readMany = async (keys: readonly string[]) => {
    queries.push([...keys])
    return new Map(keys.filter((key) => key in table).map((key) => [key, table[key] as number]))
  }
  return { queries, readMany }
}

test('reads of one turn go out as one query; a key it does not return reads as absent', async () => {
  const { queries, readMany } = recorder({ a: 1, b: 2 })
  const reads = new BatchedReads(readMany, -1)
  const values = await Promise.all([reads.read('a'), reads.read('b'), reads.read('missing')])
  assert.equal(values, [1, 2, -1])
  assert.equal(queries, [['a', 'b', 'missing']])
})

test('concurrent reads of one key share it; a read in a later turn is a new query', async () => {
  const { queries, readMany } = recorder({ a: 1 })
  const reads = new BatchedReads(readMany, -1)
  assert.equal(await Promise.all([reads.read('a'), reads.read('a')]), [1, 1])
  assert.is(await reads.read('a'), 1)
  assert.equal(queries, [['a'], ['a']])
})

test('a turn with more keys than a query takes is split', async () => {
  const { queries, readMany } = recorder({ a: 1, b: 2, c: 3 })
  const reads = new BatchedReads(readMany, -1, 2)
  assert.equal(await Promise.all(['a', 'b', 'c'].map((key) => reads.read(key))), [1, 2, 3])
  assert.equal(queries, [['a', 'b'], ['c']])
})

test('a failed query rejects every read it carried, and the next turn reads again', async () => {
  let fail = true
  const reads = new BatchedReads(async (keys: readonly string[]) => {
    if (fail) throw new Error('database unavailable')
    return new Map(keys.map((key) => [key, 7]))
  }, -1)
  const outcomes = await Promise.allSettled([reads.read('a'), reads.read('b')])
  assert.equal(
    outcomes.map((outcome) => (outcome.status === 'rejected' ? String(outcome.reason) : 'ok')),
    ['Error: database unavailable', 'Error: database unavailable'],
  )
  fail = false
  assert.is(await reads.read('a'), 7)
})

test.run()
