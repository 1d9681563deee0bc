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

/** A readMany whose queries stay out until the test answers them, in order. */
function heldQueries(table: Map<string, number>) {
  const queries: { keys: string[]; answer: () => void; fail: (error: Error) => void }[] = []
  const readMany = (keys: readonly string[]) =>
    new Promise<Map<string, number>>((resolve, reject) => {
      queries.push({
        keys: [...keys],
        // The table is read when answered: a write made while the query is out shows in it, as in a database
        // whose query started after the write.
        answer: () =>
          resolve(new Map(keys.filter((key) => table.has(key)).map((key) => [key, table.get(key) ?? 0]))),
        fail: reject,
      })
    })
  return { queries, readMany }
}

/** How a read ended, as text; the handler is attached at once, before the read can fail. */
const outcome = (read: Promise<number>) =>
  read.then(
    (value) => `value ${value}`,
    (error: unknown) => String(error),
  )

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

test('reads asked while a query is out wait for it, then go out together as one query', async () => {
  const { queries, readMany } = heldQueries(
    new Map([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]),
  )
  const reads = new BatchedReads(readMany, -1)
  const first = reads.read('a')
  await nextTurn()
  assert.equal(
    queries.map((query) => query.keys),
    [['a']],
  )
  // Three more reads over three later turns, as a connect storm's upgrades arrive.
  const later = [reads.read('b')]
  await nextTurn()
  later.push(reads.read('c'))
  await nextTurn()
  later.push(reads.read('missing'))
  await nextTurn()
  assert.is(queries.length, 1, 'nothing else goes out while the first query is out')
  queries[0]?.answer()
  assert.is(await first, 1)
  await nextTurn()
  assert.equal(
    queries.map((query) => query.keys),
    [['a'], ['b', 'c', 'missing']],
  )
  queries[1]?.answer()
  assert.equal(await Promise.all(later), [2, 3, -1])
})

test('a key asked for again while its query is out is read again, and sees a write made meanwhile', async () => {
  const table = new Map([['a', 1]])
  const { queries, readMany } = heldQueries(table)
  const reads = new BatchedReads(readMany, -1)
  const before = reads.read('a')
  await nextTurn()
  queries[0]?.answer()
  table.set('a', 2)
  const after = reads.read('a')
  assert.is(await before, 1)
  await nextTurn()
  queries[1]?.answer()
  assert.is(await after, 2)
  assert.equal(
    queries.map((query) => query.keys),
    [['a'], ['a']],
  )
})

test('a failed or throwing query lets the reads that waited behind it go out', async () => {
  const { queries, readMany } = heldQueries(new Map([['b', 2]]))
  const reads = new BatchedReads(readMany, -1)
  const first = outcome(reads.read('a'))
  await nextTurn()
  const waiting = reads.read('b')
  queries[0]?.fail(new Error('database unavailable'))
  assert.is(await first, 'Error: database unavailable')
  await nextTurn()
  queries[1]?.answer()
  assert.is(await waiting, 2)

  let throwing = true
  const thrown = new BatchedReads((keys: readonly string[]) => {
    if (throwing) throw new Error('bad query')
    return Promise.resolve(new Map(keys.map((key) => [key, 7])))
  }, -1)
  assert.is(await outcome(thrown.read('a')), 'Error: bad query')
  throwing = false
  assert.is(await thrown.read('a'), 7)
})

test.run()
