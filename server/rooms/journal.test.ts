import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { DocumentStore, JournalAppend } from '../../persistence/ports.ts'
import { GroupCommitJournal } from './journal.ts'

const test = suite('GroupCommitJournal')

const CANVAS = '00000000-0000-4000-8000-000000000001'

function entry(token: string): JournalAppend {
  return { canvasId: CANVAS, update: new TextEncoder().encode(token), authorId: null }
}

type JournalStore = Pick<DocumentStore, 'appendJournal'>

/**
 * The one store call the journal makes, kept to what the contract promises (seqs of one call contiguous, in input
 * order; a failed call consumes none), recording the size of every batch. The stores themselves pass the
 * conformance suite; this isolates the batching.
 */
function recordingStore(): { store: JournalStore; readonly batches: number[]; failNext(): void } {
  const batches: number[] = []
  let lastSeq = 0
  let failing = false
  return {
    batches,
    failNext() {
      failing = true
    },
    store: {
      async appendJournal(entries) {
        batches.push(entries.length)
        if (failing) {
          failing = false
          throw new Error('disk full')
        }
        return entries.map(() => ++lastSeq)
      },
    },
  }
}

/** A clock the test moves by hand, so "quiet" never depends on how fast the machine runs the test. */
function manualClock(): { now: () => number; advance(ms: number): void } {
  let at = 1_000
  return {
    now: () => at,
    advance(ms) {
      at += ms
    },
  }
}

const nextImmediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

test('an append after a quiet spell commits before the event loop moves on (no immediate in between)', async () => {
  const { store, batches } = recordingStore()
  const clock = manualClock()
  const journal = new GroupCommitJournal(store, { quietMs: 2, now: clock.now })
  const order: string[] = []
  setImmediate(() => order.push('immediate'))
  const committed = journal.append(entry('a')).then((seq) => order.push(`committed ${seq}`))
  await nextImmediate()
  await committed
  assert.equal(order, ['committed 1', 'immediate'])
  assert.equal(batches, [1])
})

test('appends in quick succession after the first wait for one immediate and commit as one batch', async () => {
  const { store, batches } = recordingStore()
  const clock = manualClock()
  const journal = new GroupCommitJournal(store, { quietMs: 2, now: clock.now })
  assert.equal(await journal.append(entry('a')), 1)
  clock.advance(0.5)
  const order: string[] = []
  // Queued before the appends: had the burst committed at once, its seqs would resolve before this runs.
  setImmediate(() => order.push('immediate'))
  const burst = [journal.append(entry('b')), journal.append(entry('c')), journal.append(entry('d'))]
  const seqs = Promise.all(burst).then((all) => {
    order.push('committed')
    return all
  })
  assert.equal(await seqs, [2, 3, 4])
  assert.equal(order, ['immediate', 'committed'])
  assert.equal(batches, [1, 3])
})

test('appends arriving while a commit is in flight form the next batch, in order, up to maxBatch', async () => {
  const { store, batches } = recordingStore()
  const clock = manualClock()
  const journal = new GroupCommitJournal(store, { quietMs: 2, now: clock.now, maxBatch: 2 })
  // Quiet: commits at once; the four appends made before it settles wait for it, then go two by two.
  const all = [journal.append(entry('a'))]
  for (const token of ['b', 'c', 'd', 'e']) all.push(journal.append(entry(token)))
  assert.equal(await Promise.all(all), [1, 2, 3, 4, 5])
  await journal.flush()
  assert.equal(batches, [1, 2, 2])
})

test('a failed commit rejects exactly its batch; the next append commits normally', async () => {
  const recording = recordingStore()
  const clock = manualClock()
  const journal = new GroupCommitJournal(recording.store, { quietMs: 2, now: clock.now })
  recording.failNext()
  try {
    await journal.append(entry('lost'))
    assert.unreachable('the append must reject with the store error')
  } catch (error) {
    assert.instance(error, Error)
    assert.is((error as Error).message, 'disk full')
  }
  clock.advance(10)
  assert.equal(await journal.append(entry('kept')), 1, 'the failed batch consumed no seq')
  assert.equal(recording.batches, [1, 1])
})

test.run()
