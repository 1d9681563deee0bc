import { randomBytes, randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import type { DocumentStore, JournalAppend, JournalEntry } from '../ports.ts'

/** What a conformance run needs from an adapter besides the port itself. */
export interface DocumentStoreHarness {
  readonly store: DocumentStore
  /**
   * Stores a journal entry (empty update, no author) behind the store's back, without allocating its seq, so that
   * the next append of `canvasId` that is handed `seq` fails after it has already allocated seqs (SQL and MongoDB:
   * on the (canvas, seq) uniqueness inside its transaction; the local log: on the file changed by another writer).
   */
  plantJournalEntry(canvasId: string, seq: number): Promise<void>
  /** Closes the store and releases whatever the harness created (databases, clients). */
  dispose(): Promise<void>
}

export type DocumentStoreHarnessFactory = () => Promise<DocumentStoreHarness>

const MIB = 1024 * 1024
const PARALLEL_APPENDERS = 10
const ENTRIES_PER_APPENDER = 20
const SHARED_CANVASES = 30
const RACE_APPENDERS = 4
const RACE_BATCHES_PER_APPENDER = 15
const RACE_ENTRIES_PER_BATCH = 3
const RACE_COMPACTORS = 3
const RACE_DEADLINE_MS = 5_000
const LOAD_RACE_ENTRIES = 60
const LOAD_RACE_LOADERS = 4
const MEASURE_ENTRIES = 1000
const MEASURE_BATCH = 50
const MEASURE_CANVASES = 10
const MEASURE_UPDATE_BYTES = 128
const MEASURE_REPEATS = 3

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/**
 * The DocumentStore contract, run against one adapter. The factory is called by the first test (not in a uvu
 * `before` hook, whose failures uvu 0.5 silently drops), and every test uses fresh canvas ids, so tests share one
 * store without seeing each other's data.
 */
export function documentStoreConformance(name: string, factory: DocumentStoreHarnessFactory): void {
  const test = suite(`DocumentStore conformance: ${name}`)
  let harness: DocumentStoreHarness | undefined

  const current = (): DocumentStoreHarness => {
    if (harness === undefined) throw new Error('the harness did not start (see the first failure)')
    return harness
  }
  const store = (): DocumentStore => current().store

  test.after(async () => {
    if (harness !== undefined) await harness.dispose()
  })

  test('harness starts and the store answers ping', async () => {
    harness = await factory()
    await harness.store.ping()
  })

  test('a canvas never written loads empty', async () => {
    const canvasId = randomUUID()
    assert.equal(await store().loadDocument(canvasId), { state: null, stateSeq: 0, journal: [] })
    assert.equal(await store().readJournal(canvasId, 0), [])
    assert.equal(await store().journalStats(canvasId), { entries: 0, bytes: 0 })
    assert.equal(await store().appendJournal([]), [])
  })

  test('append assigns per-canvas seqs from 1 in input order, across canvases in one batch', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()]
    const batch = [a, b, a, c, b, a].map((canvasId, i) => append(canvasId, `first-${i}`))
    assert.equal(await store().appendJournal(batch), [1, 1, 2, 1, 2, 3])
    assert.equal(await store().appendJournal([append(c, 'x'), append(a, 'y')]), [2, 4])

    const loaded = await store().loadDocument(a)
    assert.equal(loaded.state, null)
    assert.is(loaded.stateSeq, 0)
    assert.equal(
      loaded.journal.map((e) => e.seq),
      [1, 2, 3, 4],
    )
    assert.equal(loaded.journal.map(text), ['first-0', 'first-2', 'first-5', 'y'])
    assert.equal((await store().loadDocument(b)).journal.map(text), ['first-1', 'first-4'])
    assert.equal((await store().loadDocument(c)).journal.map(text), ['first-3', 'x'])
  })

  test('a large batch (5,000 entries over 7 canvases, with and without authors) gets contiguous seqs', async () => {
    const canvases = Array.from({ length: 7 }, () => randomUUID())
    const author = randomUUID()
    const batch = Array.from({ length: 5_000 }, (_, i) => ({
      ...append(canvases[i % 7] ?? '', `big-${i}`),
      authorId: i % 2 === 0 ? author : null,
    }))
    const seqs = await store().appendJournal(batch)
    assert.equal(
      seqs,
      batch.map((_, i) => Math.floor(i / 7) + 1),
    )
    const loaded = await store().loadDocument(canvases[3] ?? '')
    assert.is(loaded.journal.length, batch.filter((_, i) => i % 7 === 3).length)
    assert.equal(loaded.journal.slice(0, 2).map(text), ['big-3', 'big-10'])
    assert.equal(
      loaded.journal.slice(0, 2).map((entry) => entry.authorId),
      [null, author],
    )
  })

  test('journal entries keep author and creation time', async () => {
    const canvasId = randomUUID()
    const author = randomUUID()
    const before = Date.now()
    await store().appendJournal([
      { canvasId, update: bytes('by-user'), authorId: author },
      { canvasId, update: bytes('by-server'), authorId: null },
    ])
    const [byUser, byServer] = (await store().loadDocument(canvasId)).journal
    assert.is(byUser?.authorId, author)
    assert.is(byServer?.authorId, null)
    for (const entry of [byUser, byServer]) {
      assert.ok(entry?.createdAt instanceof Date, 'createdAt is a Date')
      // Database clocks may run slightly apart from ours: only reject absurd timestamps.
      assert.ok(Math.abs(entry.createdAt.getTime() - before) < 60_000, 'createdAt is about now')
    }
  })

  test('compact stores the state, deletes journal entries <= upToSeq, load returns state + tail', async () => {
    const canvasId = randomUUID()
    await store().appendJournal(['a', 'b', 'c', 'd', 'e'].map((t) => append(canvasId, t)))
    const result = await store().compact(canvasId, bytes('state:a,b,c'), 3)
    assert.equal(result, { written: true, stateSeq: 3 })

    const loaded = await store().loadDocument(canvasId)
    assertBytes(loaded.state, bytes('state:a,b,c'), 'state')
    assert.is(loaded.stateSeq, 3)
    assert.equal(
      loaded.journal.map((e) => [e.seq, text(e)]),
      [
        [4, 'd'],
        [5, 'e'],
      ],
    )
    assert.equal(
      (await store().readJournal(canvasId, 0)).map((e) => e.seq),
      [4, 5],
      'entries <= 3 deleted',
    )
    assert.equal(await store().journalStats(canvasId), { entries: 2, bytes: 2 })

    // Appends continue after the compacted range; a further compaction folds the rest.
    assert.equal(await store().appendJournal([append(canvasId, 'f')]), [6])
    assert.equal(await store().compact(canvasId, bytes('state:all'), 6), { written: true, stateSeq: 6 })
    assert.equal(await store().loadDocument(canvasId), {
      state: bytes('state:all'),
      stateSeq: 6,
      journal: [],
    })
  })

  test('a compactor that is behind writes nothing and leaves the state untouched', async () => {
    const canvasId = randomUUID()
    await store().appendJournal(['a', 'b', 'c', 'd'].map((t) => append(canvasId, t)))
    assert.equal(await store().compact(canvasId, bytes('newer'), 3), { written: true, stateSeq: 3 })

    assert.equal(await store().compact(canvasId, bytes('older'), 2), { written: false, stateSeq: 3 })
    assert.equal(await store().compact(canvasId, bytes('same'), 3), { written: false, stateSeq: 3 })
    const loaded = await store().loadDocument(canvasId)
    assertBytes(loaded.state, bytes('newer'), 'state after behind compactions')
    assert.is(loaded.stateSeq, 3)
    assert.equal(loaded.journal.map(text), ['d'])
    assert.equal(await store().compact(randomUUID(), bytes('nothing'), 0), { written: false, stateSeq: 0 })
  })

  test('compacting beyond the last seq is an error and changes nothing', async () => {
    const canvasId = randomUUID()
    await store().appendJournal(['a', 'b'].map((t) => append(canvasId, t)))
    await assertRejects(
      () => store().compact(canvasId, bytes('ahead'), 3),
      RangeError,
      /journal ends at seq 2/,
    )
    await assertRejects(() => store().compact(randomUUID(), bytes('ahead'), 1), RangeError, /ends at seq 0/)
    await assertRejects(() => store().compact(canvasId, bytes('bad'), -1), RangeError, /non-negative/)
    await assertRejects(() => store().compact(canvasId, bytes('bad'), 1.5), RangeError, /non-negative/)
    const loaded = await store().loadDocument(canvasId)
    assert.is(loaded.state, null)
    assert.equal(loaded.journal.map(text), ['a', 'b'])
  })

  test('readJournal returns the entries after a seq, in order', async () => {
    const canvasId = randomUUID()
    await store().appendJournal(['a', 'b', 'c', 'd'].map((t) => append(canvasId, t)))
    assert.equal(
      (await store().readJournal(canvasId, 2)).map((e) => [e.seq, text(e)]),
      [
        [3, 'c'],
        [4, 'd'],
      ],
    )
    assert.equal(await store().readJournal(canvasId, 4), [])
    assert.equal(await store().readJournal(canvasId, 99), [])
    await store().compact(canvasId, bytes('ab-c'), 3)
    assert.equal(
      (await store().readJournal(canvasId, 0)).map((e) => e.seq),
      [4],
      'folded entries are gone',
    )
    await assertRejects(() => store().readJournal(canvasId, -1), RangeError, /non-negative/)
  })

  test('journalStats counts entries and their bytes', async () => {
    const canvasId = randomUUID()
    await store().appendJournal([
      { canvasId, update: new Uint8Array(10), authorId: null },
      { canvasId, update: new Uint8Array(0), authorId: null },
      { canvasId, update: new Uint8Array(1000), authorId: null },
    ])
    await store().appendJournal([append(randomUUID(), 'another canvas is not counted')])
    assert.equal(await store().journalStats(canvasId), { entries: 3, bytes: 1010 })
    await store().compact(canvasId, bytes('s'), 1)
    assert.equal(await store().journalStats(canvasId), { entries: 2, bytes: 1000 })
  })

  test('deleteDocument removes state and journal; the canvas starts again at seq 1', async () => {
    const canvasId = randomUUID()
    const other = randomUUID()
    await store().appendJournal([append(canvasId, 'a'), append(canvasId, 'b'), append(other, 'kept')])
    await store().compact(canvasId, bytes('s'), 1)
    await store().deleteDocument(canvasId)
    assert.equal(await store().loadDocument(canvasId), { state: null, stateSeq: 0, journal: [] })
    assert.equal(await store().journalStats(canvasId), { entries: 0, bytes: 0 })
    assert.equal(await store().appendJournal([append(canvasId, 'again')]), [1])
    assert.equal((await store().loadDocument(other)).journal.map(text), ['kept'], 'other canvases untouched')
    await store().deleteDocument(randomUUID()) // unknown canvas: a no-op, not an error
  })

  test('updates and states round-trip byte for byte, as plain Uint8Arrays', async () => {
    const canvasId = randomUUID()
    const everyByte = Uint8Array.from({ length: 512 }, (_, i) => (i % 2 === 0 ? i % 256 : 255 - (i % 256)))
    const edges = Uint8Array.of(0x00, 0xff, 0x00, 0x00, 0xff, 0xff, 0x5c, 0x27, 0x00)
    const large = new Uint8Array(randomBytes(MIB)) // a copy: the store is handed a plain Uint8Array
    const empty = new Uint8Array(0)
    // A view into a larger buffer: only the viewed bytes may be stored.
    const slice = new Uint8Array([9, 9, 0x00, 0xff, 1, 9]).subarray(2, 5)
    const updates = [everyByte, edges, large, empty, slice]
    const seqs = await store().appendJournal(updates.map((update) => ({ canvasId, update, authorId: null })))
    assert.equal(seqs, [1, 2, 3, 4, 5])

    const loaded = await store().loadDocument(canvasId)
    assert.is(loaded.journal.length, updates.length)
    updates.forEach((expected, i) => {
      assertBytes(loaded.journal[i]?.update, expected, `update ${i}`)
    })
    assertBytes((await store().readJournal(canvasId, 2))[0]?.update, large, 'readJournal 1 MiB update')
    assert.equal(await store().journalStats(canvasId), {
      entries: 5,
      bytes: everyByte.length + edges.length + MIB + slice.length,
    })

    const state = new Uint8Array(MIB)
    state.set(edges, 0)
    state.set(large.subarray(0, MIB - edges.length), edges.length)
    await store().compact(canvasId, state, 5)
    assertBytes((await store().loadDocument(canvasId)).state, state, '1 MiB state')
  })

  test('input that is not a canonical uuid is rejected before anything is written', async () => {
    const canvasId = randomUUID()
    const invalidCanvas: JournalAppend = { canvasId: 'not-a-uuid', update: bytes('x'), authorId: null }
    await assertRejects(
      () => store().appendJournal([append(canvasId, 'a'), invalidCanvas, append(canvasId, 'b')]),
      TypeError,
      /canvas id/,
    )
    const invalidAuthor: JournalAppend = { canvasId, update: bytes('x'), authorId: 'nobody' }
    await assertRejects(
      () => store().appendJournal([append(canvasId, 'a'), invalidAuthor]),
      TypeError,
      /author/,
    )
    const upperCase = randomUUID().toUpperCase()
    await assertRejects(() => store().appendJournal([append(upperCase, 'a')]), TypeError, /lower-case/)
    await assertRejects(() => store().loadDocument('42'), TypeError, /canvas id/)
    assert.equal(await store().loadDocument(canvasId), { state: null, stateSeq: 0, journal: [] })
    assert.equal(await store().appendJournal([append(canvasId, 'first')]), [1], 'no seq was consumed')
  })

  test('a batch failing inside its transaction commits nothing', async () => {
    const [clean, conflicting] = [randomUUID(), randomUUID()].sort()
    if (clean === undefined || conflicting === undefined) throw new Error('two ids expected')
    await current().plantJournalEntry(conflicting, 1)
    // The batch is valid, so it gets as far as allocating seqs for both canvases and inserting journal rows
    // before the planted (conflicting, 1) makes it fail: everything it did must roll back.
    await assertRejects(
      () => store().appendJournal([append(clean, 'a'), append(clean, 'b'), append(conflicting, 'boom')]),
      Error,
      /./,
    )
    assert.equal(await store().loadDocument(clean), { state: null, stateSeq: 0, journal: [] })
    assert.equal(await store().journalStats(clean), { entries: 0, bytes: 0 })
    assert.equal(
      await store().appendJournal([append(clean, 'after')]),
      [1],
      'the failed batch consumed no seq',
    )
    assert.equal(await store().journalStats(conflicting), { entries: 1, bytes: 0 }, 'only the planted entry')
  })

  test(`${PARALLEL_APPENDERS} concurrent appenders on one canvas get distinct contiguous seqs`, async () => {
    const canvasId = randomUUID()
    const calls = Array.from({ length: PARALLEL_APPENDERS }, (_, call) =>
      store().appendJournal(
        Array.from({ length: ENTRIES_PER_APPENDER }, (_, i) => append(canvasId, `${call}:${i}`)),
      ),
    )
    const results = await settleAll(calls)
    const total = PARALLEL_APPENDERS * ENTRIES_PER_APPENDER
    const all = results.flat().sort((x, y) => x - y)
    assert.equal(all, range(1, total), 'seqs 1..total, each once')
    for (const seqs of results) {
      // One call is one transaction: its seqs are one contiguous block, in input order.
      assert.equal(seqs, range(seqs[0] ?? 0, ENTRIES_PER_APPENDER), 'one contiguous block per call')
    }
    const journal = (await store().loadDocument(canvasId)).journal
    assert.equal(
      journal.map((e) => e.seq),
      range(1, total),
    )
    results.forEach((seqs, call) => {
      seqs.forEach((seq, i) => {
        assert.is(text(journal[seq - 1]), `${call}:${i}`, `seq ${seq} holds the update it was assigned to`)
      })
    })
  })

  test('concurrent batches sharing canvases in different orders neither deadlock nor interleave', async () => {
    const canvases = Array.from({ length: SHARED_CANVASES }, () => randomUUID())
    const rounds = 2 // the first round creates the canvases' rows, the second updates existing ones
    for (let round = 0; round < rounds; round += 1) {
      const calls = Array.from({ length: PARALLEL_APPENDERS }, (_, call) => {
        // Each call lists the canvases rotated differently and, every other call, reversed.
        const shift = (call * 7) % SHARED_CANVASES
        const rotated = [...canvases.slice(shift), ...canvases.slice(0, shift)]
        const order = call % 2 === 0 ? rotated : rotated.reverse()
        return store().appendJournal(
          order.flatMap((canvasId) => [append(canvasId, 'p'), append(canvasId, 'q')]),
        )
      })
      await settleAll(calls)
    }
    for (const canvasId of canvases) {
      const journal = (await store().loadDocument(canvasId)).journal
      assert.equal(
        journal.map((e) => e.seq),
        range(1, 2 * PARALLEL_APPENDERS * rounds),
      )
      assert.equal(
        journal.map(text),
        Array.from({ length: PARALLEL_APPENDERS * rounds }, () => ['p', 'q']).flat(),
        'each call took a contiguous pair of seqs',
      )
    }
  })

  test('appends racing compactions never lose an entry', async () => {
    const canvasId = randomUUID()
    // The store treats state as opaque bytes; here a state is the JSON list of the tokens it folds.
    const appended = new Map<number, string>()
    let appendersDone = false
    let written = 0
    let behind = 0

    // A store whose appends resolve without I/O (the local log) could finish every batch before the first
    // compaction lands: appenders yield between batches and go on (bounded) until one has landed.
    const deadline = performance.now() + RACE_DEADLINE_MS
    const appender = async (worker: number): Promise<void> => {
      for (
        let batch = 0;
        batch < RACE_BATCHES_PER_APPENDER || (written === 0 && performance.now() < deadline);
        batch += 1
      ) {
        const tokens = Array.from({ length: RACE_ENTRIES_PER_BATCH }, (_, i) => `w${worker}b${batch}e${i}`)
        const seqs = await store().appendJournal(tokens.map((token) => append(canvasId, token)))
        seqs.forEach((seq, i) => {
          appended.set(seq, tokens[i] ?? '')
        })
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    const compactor = async (): Promise<void> => {
      while (!appendersDone) {
        // A store may answer in microtasks only (the memory store): yield so the appenders' turns come round.
        await new Promise((resolve) => setImmediate(resolve))
        const loaded = await store().loadDocument(canvasId)
        const last = loaded.journal.at(-1)
        if (last === undefined) continue
        const folded = [...decodeTokens(loaded.state), ...loaded.journal.map(text)]
        const result = await store().compact(canvasId, encodeTokens(folded), last.seq)
        if (result.written) written += 1
        else behind += 1
      }
    }

    const compactors = Array.from({ length: RACE_COMPACTORS }, () => compactor())
    const appending = settleAll(
      Array.from({ length: RACE_APPENDERS }, (_, worker) => appender(worker)),
    ).finally(() => {
      appendersDone = true
    })
    await settleAll<unknown>([appending, ...compactors])

    // Seqs are map keys: a seq handed out twice would shrink the map and leave a gap in the range.
    const total = appended.size
    assert.ok(total >= RACE_APPENDERS * RACE_BATCHES_PER_APPENDER * RACE_ENTRIES_PER_BATCH)
    assert.equal(
      [...appended.keys()].sort((x, y) => x - y),
      range(1, total),
    )
    assert.ok(
      written > 0,
      `at least one compaction landed while appending (written ${written}, behind ${behind})`,
    )

    const final = await store().loadDocument(canvasId)
    const stateTokens = decodeTokens(final.state)
    assert.is(stateTokens.length, final.stateSeq, 'the state folds exactly the entries up to stateSeq')
    assert.equal(
      final.journal.map((e) => e.seq),
      range(final.stateSeq + 1, total - final.stateSeq),
      'the journal continues right after the state',
    )
    const inState = new Set(stateTokens)
    for (const [seq, token] of appended) {
      if (seq <= final.stateSeq) assert.ok(inState.has(token), `seq ${seq} (${token}) is in the state`)
      else assert.is(text(final.journal[seq - final.stateSeq - 1]), token, `seq ${seq} is in the journal`)
    }
  })

  test('loads racing compactions always see every entry, in the state or in the journal', async () => {
    const canvasId = randomUUID()
    const tokens = Array.from({ length: LOAD_RACE_ENTRIES }, (_, i) => `t${i + 1}`)
    await store().appendJournal(tokens.map((token) => append(canvasId, token)))
    let compacting = true
    let loads = 0

    // One compaction per seq: many commits land while the loaders run.
    const compactor = async (): Promise<void> => {
      try {
        for (let upTo = 1; upTo <= LOAD_RACE_ENTRIES; upTo += 1) {
          const result = await store().compact(canvasId, encodeTokens(tokens.slice(0, upTo)), upTo)
          assert.ok(result.written, `compaction up to ${upTo} written`)
        }
      } finally {
        compacting = false
      }
    }
    const loader = async (): Promise<void> => {
      while (compacting) {
        const loaded = await store().loadDocument(canvasId)
        loads += 1
        const seen = [...decodeTokens(loaded.state), ...loaded.journal.map(text)]
        assert.equal(seen, tokens, `a load at stateSeq ${loaded.stateSeq} sees every entry exactly once`)
        assert.is(decodeTokens(loaded.state).length, loaded.stateSeq)
      }
    }
    await settleAll([compactor(), ...Array.from({ length: LOAD_RACE_LOADERS }, () => loader())])
    assert.ok(loads >= LOAD_RACE_LOADERS, `the loaders ran (${loads} loads)`)
  })

  test('real Yjs updates: load, then Y.applyUpdate, rebuilds the document', async () => {
    const canvasId = randomUUID()
    const source = new Y.Doc()
    const updates: Uint8Array[] = []
    source.on('update', (update: Uint8Array) => {
      updates.push(update)
    })
    const blocks = source.getMap<string>('blocks')
    const title = source.getText('title')
    title.insert(0, 'Quarterly revenue')
    blocks.set('chart-1', 'bar')
    blocks.set('table-1', 'pivot')
    title.insert(0, 'Draft: ')
    blocks.delete('table-1')
    source.getArray<number>('order').push([3, 1, 2])

    const seqs = await store().appendJournal(updates.map((update) => ({ canvasId, update, authorId: null })))
    assert.equal(seqs, range(1, updates.length))
    // Compact the first half the way the server does: state = merge of the entries it folds.
    const half = Math.floor(updates.length / 2)
    await store().compact(canvasId, Y.mergeUpdates(updates.slice(0, half)), half)

    const loaded = await store().loadDocument(canvasId)
    assert.is(loaded.journal.length, updates.length - half)
    const replica = new Y.Doc()
    if (loaded.state !== null) Y.applyUpdate(replica, loaded.state)
    for (const entry of loaded.journal) Y.applyUpdate(replica, entry.update)
    assert.equal(replica.getText('title').toString(), 'Draft: Quarterly revenue')
    assert.equal(replica.getMap('blocks').toJSON(), { 'chart-1': 'bar' })
    assert.equal(replica.getArray('order').toJSON(), [3, 1, 2])
    assert.equal(Y.encodeStateVector(replica), Y.encodeStateVector(source))
  })

  test(`measure: ${MEASURE_ENTRIES} entries in batches of ${MEASURE_BATCH}`, async () => {
    const payload = new Uint8Array(randomBytes(MEASURE_UPDATE_BYTES))
    await appendAll(() => randomUUID(), MEASURE_BATCH) // warm-up: plans, JIT, connections
    const single: number[] = []
    const spread: number[] = []
    for (let repeat = 0; repeat < MEASURE_REPEATS; repeat += 1) {
      const oneCanvas = randomUUID()
      single.push(await appendAll(() => oneCanvas, MEASURE_ENTRIES))
      assert.is((await store().journalStats(oneCanvas)).entries, MEASURE_ENTRIES)
      const canvases = Array.from({ length: MEASURE_CANVASES }, () => randomUUID())
      spread.push(await appendAll((i) => canvases[i % MEASURE_CANVASES] ?? oneCanvas, MEASURE_ENTRIES))
    }
    console.log(
      `\n  [${name}] append ${MEASURE_ENTRIES} × ${MEASURE_UPDATE_BYTES} B in batches of ${MEASURE_BATCH} ` +
        `(best / median of ${MEASURE_REPEATS}): one canvas ${describeTimes(single)}; ` +
        `${MEASURE_CANVASES} canvases per batch ${describeTimes(spread)}`,
    )

    async function appendAll(canvasFor: (i: number) => string, entries: number): Promise<number> {
      const started = performance.now()
      for (let start = 0; start < entries; start += MEASURE_BATCH) {
        const batch = Array.from({ length: MEASURE_BATCH }, (_, i) => ({
          canvasId: canvasFor(start + i),
          update: payload,
          authorId: null,
        }))
        await store().appendJournal(batch)
      }
      return performance.now() - started
    }
  })

  test.run()
}

/**
 * Waits for every promise to settle, then returns the values or throws the first failure: a failing worker must
 * not leave the others running into the next test (or into dispose()). Every worker loop is bounded by the
 * completion of the others, so this always settles.
 */
async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises)
  const failed = results.find((result) => result.status === 'rejected')
  if (failed !== undefined) throw failed.reason
  return results.map((result) => {
    if (result.status === 'rejected') throw result.reason
    return result.value
  })
}

function describeTimes(times: readonly number[]): string {
  const sorted = [...times].sort((x, y) => x - y)
  const best = sorted[0] ?? Number.NaN
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
  const perSecond = Math.round((MEASURE_ENTRIES * 1000) / best).toLocaleString('en-US')
  return `${best.toFixed(1)} / ${median.toFixed(1)} ms (best ${perSecond} entries/s)`
}

function append(canvasId: string, token: string): JournalAppend {
  return { canvasId, update: bytes(token), authorId: null }
}

function bytes(token: string): Uint8Array {
  return encoder.encode(token)
}

function text(entry: JournalEntry | undefined): string {
  if (entry === undefined) throw new Error('expected a journal entry')
  return decoder.decode(entry.update)
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i)
}

function encodeTokens(tokens: readonly string[]): Uint8Array {
  return encoder.encode(JSON.stringify(tokens))
}

function decodeTokens(state: Uint8Array | null): string[] {
  if (state === null) return []
  const parsed: unknown = JSON.parse(decoder.decode(state))
  if (!Array.isArray(parsed) || !parsed.every((token) => typeof token === 'string')) {
    throw new Error('state is not a JSON list of tokens')
  }
  return parsed
}

/** Byte-exact comparison that also requires a plain Uint8Array (not a Buffer or other subclass). */
function assertBytes(actual: Uint8Array | null | undefined, expected: Uint8Array, what: string): void {
  if (!(actual instanceof Uint8Array))
    throw new Error(`${what}: expected a Uint8Array, got ${String(actual)}`)
  assert.is(Object.getPrototypeOf(actual), Uint8Array.prototype, `${what}: a plain Uint8Array`)
  assert.is(actual.byteLength, expected.byteLength, `${what}: length`)
  assert.ok(Buffer.from(actual).equals(Buffer.from(expected)), `${what}: same bytes`)
}

async function assertRejects(
  run: () => Promise<unknown>,
  type: new (...args: never[]) => Error,
  message: RegExp,
): Promise<void> {
  let outcome: unknown
  try {
    await run()
  } catch (error) {
    outcome = error
  }
  if (outcome === undefined) throw new Error(`expected a rejection with ${type.name}, but it resolved`)
  assert.instance(outcome, type)
  assert.match(String(outcome instanceof Error ? outcome.message : outcome), message)
}
