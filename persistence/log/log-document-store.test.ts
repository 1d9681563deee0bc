import { randomUUID } from 'node:crypto'
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Database } from '../../schema/database.ts'
import { migrateToLatest } from '../../schema/migrate.ts'
import { DirectoryInUseError } from '../directory-lock.ts'
import type { JournalAppend } from '../ports.ts'
import { openSqlDatabase } from '../sql/connect.ts'
import { SqlDocumentStates } from '../sql/document-states.ts'
import { SqlDocumentStore } from '../sql/document-store.ts'
import { LogDocumentStore } from './log-document-store.ts'
import { decodeRecords, encodeRecords, locateRecordsAfter } from './record.ts'

/**
 * What only the local log has to prove: what survives closing and reopening the directory (seqs, torn tails,
 * compactions interrupted between their commit and the log rewrite, journals the SQL store left behind).
 * The DocumentStore contract itself is the conformance suite's (persistence/conformance).
 */
const test = suite('LogDocumentStore: reopening a data directory')

const encoder = new TextEncoder()
const decoder = new TextDecoder()

interface Fixture {
  readonly db: Kysely<Database>
  readonly dir: string
  open(): Promise<LogDocumentStore>
  dispose(): Promise<void>
}

let database: Promise<Kysely<Database>> | null = null

/** One in-memory PGlite for the suite (canvas ids are fresh per test); each test gets its own log directory. */
function sharedDatabase(): Promise<Kysely<Database>> {
  database ??= (async () => {
    const db = openSqlDatabase({ kind: 'pglite', dataDir: null })
    await migrateToLatest(db)
    return db
  })()
  return database
}

test.after(async () => {
  if (database !== null) await (await database).destroy()
})

async function fixture(): Promise<Fixture> {
  const db = await sharedDatabase()
  const dir = mkdtempSync(join(tmpdir(), 'jabiru-log-store-'))
  return {
    db,
    dir,
    open: () => LogDocumentStore.open({ dir, states: new SqlDocumentStates(db) }),
    async dispose() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function entry(canvasId: string, token: string, authorId: string | null = null): JournalAppend {
  return { canvasId, update: encoder.encode(token), authorId }
}

function tokens(journal: readonly { readonly update: Uint8Array }[]): string[] {
  return journal.map((e) => decoder.decode(e.update))
}

test('entries, authors and seqs survive a reopen; seqs continue where they stopped', async () => {
  const f = await fixture()
  try {
    const canvasId = randomUUID()
    const author = randomUUID()
    const first = await f.open()
    assert.equal(await first.appendJournal([entry(canvasId, 'a', author), entry(canvasId, 'b')]), [1, 2])
    await first.close()

    const second = await f.open()
    const loaded = await second.loadDocument(canvasId)
    assert.equal(tokens(loaded.journal), ['a', 'b'])
    assert.equal(
      loaded.journal.map((e) => e.authorId),
      [author, null],
    )
    assert.ok(loaded.journal.every((e) => e.createdAt instanceof Date))
    assert.equal(await second.appendJournal([entry(canvasId, 'c')]), [3])
    assert.equal(await second.journalStats(canvasId), { entries: 3, bytes: 3 })
    await second.close()
  } finally {
    await f.dispose()
  }
})

test('after a compaction emptied the log, a reopened store continues after the state seq', async () => {
  const f = await fixture()
  try {
    const canvasId = randomUUID()
    const first = await f.open()
    await first.appendJournal([entry(canvasId, 'a'), entry(canvasId, 'b')])
    assert.equal(await first.compact(canvasId, encoder.encode('ab'), 2), { written: true, stateSeq: 2 })
    assert.not.ok(existsSync(join(f.dir, `${canvasId}.log`)), 'a fully compacted log is removed')
    await first.close()

    const second = await f.open()
    assert.equal(await second.appendJournal([entry(canvasId, 'c')]), [3], 'seq 1 and 2 are never reused')
    const loaded = await second.loadDocument(canvasId)
    assert.is(decoder.decode(loaded.state ?? new Uint8Array()), 'ab')
    assert.equal(tokens(loaded.journal), ['c'])
    await second.close()
  } finally {
    await f.dispose()
  }
})

test('a torn record at the end of a log (killed mid-write) is cut off at open; earlier entries stay', async () => {
  const f = await fixture()
  try {
    const canvasId = randomUUID()
    const first = await f.open()
    await first.appendJournal([entry(canvasId, 'whole-1'), entry(canvasId, 'whole-2')])
    await first.close()
    const path = join(f.dir, `${canvasId}.log`)
    const intact = statSync(path).size
    const next = encodeRecords([
      { seq: 3, createdAt: Date.now(), authorId: null, update: encoder.encode('torn') },
    ])
    appendFileSync(path, next.subarray(0, next.length - 3))

    const second = await f.open()
    assert.is(statSync(path).size, intact, 'the torn tail was truncated')
    assert.equal(tokens((await second.loadDocument(canvasId)).journal), ['whole-1', 'whole-2'])
    assert.equal(await second.appendJournal([entry(canvasId, 'after')]), [3])
    assert.equal(tokens((await second.loadDocument(canvasId)).journal), ['whole-1', 'whole-2', 'after'])
    await second.close()
  } finally {
    await f.dispose()
  }
})

test('a garbled record (bad checksum) ends the log there', () => {
  const data = encodeRecords([
    { seq: 1, createdAt: 0, authorId: null, update: encoder.encode('good') },
    { seq: 2, createdAt: 0, authorId: null, update: encoder.encode('flipped') },
  ])
  const garbled = Buffer.from(data)
  const last = garbled.length - 1
  garbled[last] = (garbled[last] ?? 0) ^ 0xff
  const decoded = decodeRecords(garbled)
  assert.equal(
    decoded.records.map((r) => decoder.decode(r.update)),
    ['good'],
  )
  assert.ok(decoded.validLength < garbled.length)
})

test('a compaction keeps the entries after its seq byte for byte, with their authors, across a reopen', async () => {
  const f = await fixture()
  try {
    const canvasId = randomUUID()
    const author = randomUUID()
    const first = await f.open()
    await first.appendJournal(['a', 'b', 'c'].map((t) => entry(canvasId, t)))
    await first.appendJournal([entry(canvasId, 'dd'), entry(canvasId, 'eee', author)])
    const path = join(f.dir, `${canvasId}.log`)
    const before = readFileSync(path)
    // Seq 4 is inside the second batch; the log is far below a mark's spacing, so it is read and walked from its start.
    assert.equal(await first.compact(canvasId, encoder.encode('abcd'), 4), { written: true, stateSeq: 4 })
    assert.equal(readFileSync(path), encodeRecords(decodeRecords(before).records.slice(4)), 'kept, unchanged')
    assert.equal(await first.journalStats(canvasId), { entries: 1, bytes: 3 })
    assert.equal(await first.appendJournal([entry(canvasId, 'f')]), [6])
    await first.close()

    const second = await f.open()
    const loaded = await second.loadDocument(canvasId)
    assert.is(loaded.stateSeq, 4)
    assert.equal(tokens(loaded.journal), ['eee', 'f'])
    assert.equal(
      loaded.journal.map((e) => e.seq),
      [5, 6],
    )
    assert.equal(
      loaded.journal.map((e) => e.authorId),
      [author, null],
    )
    // A reopened store knows no batch ends: it reads the whole log.
    assert.equal(await second.compact(canvasId, encoder.encode('abcde'), 5), { written: true, stateSeq: 5 })
    assert.equal(tokens((await second.loadDocument(canvasId)).journal), ['f'])
    assert.equal(await second.journalStats(canvasId), { entries: 1, bytes: 1 })
    await second.close()
  } finally {
    await f.dispose()
  }
})

test('a compaction of a long log reads it from the last mark before its seq, not from the start', async () => {
  const f = await fixture()
  try {
    const canvasId = randomUUID()
    const store = await f.open()
    // 40 batches of five 1 KB updates: about 200 KB, so marks were left every 64 KB or so.
    for (let batch = 0; batch < 40; batch++) {
      const updates = Array.from({ length: 5 }, (_, i) =>
        entry(canvasId, `${batch * 5 + i + 1}`.padEnd(1000, '.')),
      )
      await store.appendJournal(updates)
    }
    const path = join(f.dir, `${canvasId}.log`)
    const before = readFileSync(path)
    const records = decodeRecords(before).records
    assert.is(records.length, 200)
    // Garble the first record's length in place (same file size): a compaction that read the log from its start
    // could not walk past it and would lose everything after it; one that starts at a mark never reads it.
    const garbled = Buffer.from(before)
    garbled[1] = (garbled[1] ?? 0) ^ 0xff
    writeFileSync(path, garbled)
    assert.equal(await store.compact(canvasId, encoder.encode('state'), 197), {
      written: true,
      stateSeq: 197,
    })
    assert.equal(readFileSync(path), encodeRecords(records.slice(197)), 'kept, unchanged')
    assert.equal(await store.journalStats(canvasId), { entries: 3, bytes: 3000 })
    await store.close()
  } finally {
    await f.dispose()
  }
})

test('locating the records after a seq checks the kept ones and says when the log needs a full decode', () => {
  const records = [1, 2, 3, 4].map((seq) => ({
    seq,
    createdAt: 0,
    authorId: seq === 3 ? randomUUID() : null,
    update: encoder.encode('x'.repeat(seq)),
  }))
  const data = encodeRecords(records)
  const firstTwo = encodeRecords(records.slice(0, 2)).length
  assert.equal(locateRecordsAfter(data, 2), { offset: firstTwo, entries: 2, updateBytes: 7, intact: true })
  assert.equal(locateRecordsAfter(data, 0), { offset: 0, entries: 4, updateBytes: 10, intact: true })
  assert.equal(locateRecordsAfter(data, 4), { offset: data.length, entries: 0, updateBytes: 0, intact: true })
  assert.equal(locateRecordsAfter(new Uint8Array(0), 7), {
    offset: 0,
    entries: 0,
    updateBytes: 0,
    intact: true,
  })

  const garbledLast = Buffer.from(data)
  garbledLast[garbledLast.length - 1] = (garbledLast.at(-1) ?? 0) ^ 0xff
  assert.not.ok(locateRecordsAfter(garbledLast, 2).intact, 'a kept record with a bad checksum')
  assert.ok(locateRecordsAfter(garbledLast, 4).intact, 'dropped records are not checksummed')
  assert.not.ok(locateRecordsAfter(data.subarray(0, data.length - 2), 0).intact, 'a torn tail')
  const reordered = Buffer.concat([encodeRecords(records.slice(1, 2)), encodeRecords(records.slice(0, 1))])
  assert.not.ok(locateRecordsAfter(reordered, 0).intact, 'seqs that do not ascend')
})

test('a compaction of a log with a garbled record keeps the valid entries after its seq', async () => {
  const f = await fixture()
  try {
    const canvasId = randomUUID()
    const first = await f.open()
    await first.appendJournal(['a', 'b', 'c'].map((t) => entry(canvasId, t)))
    const path = join(f.dir, `${canvasId}.log`)
    const garbled = readFileSync(path)
    garbled[garbled.length - 1] = (garbled.at(-1) ?? 0) ^ 0xff
    writeFileSync(path, garbled)
    assert.equal(await first.compact(canvasId, encoder.encode('a'), 1), { written: true, stateSeq: 1 })
    assert.equal(
      decodeRecords(readFileSync(path)).records.map((r) => decoder.decode(r.update)),
      ['b'],
      'the garbled record is not copied',
    )
    await first.close()
  } finally {
    await f.dispose()
  }
})

test('a compaction that committed its state but died before rewriting the log: covered entries are dropped at open', async () => {
  const f = await fixture()
  try {
    const canvasId = randomUUID()
    const first = await f.open()
    await first.appendJournal(['a', 'b', 'c'].map((t) => entry(canvasId, t)))
    await first.close()
    // The state commit of a compaction up to seq 2, without the log rewrite that follows it.
    await new SqlDocumentStates(f.db).write(canvasId, encoder.encode('ab'), 2)
    writeFileSync(join(f.dir, `${canvasId}.log.tmp`), 'half-written rewrite')

    const second = await f.open()
    const loaded = await second.loadDocument(canvasId)
    assert.is(loaded.stateSeq, 2)
    assert.equal(tokens(loaded.journal), ['c'])
    assert.equal(await second.journalStats(canvasId), { entries: 1, bytes: 1 })
    assert.equal(
      readdirSync(f.dir).filter((name) => name.endsWith('.tmp')),
      [],
      'leftover rewrite removed',
    )
    await second.close()
  } finally {
    await f.dispose()
  }
})

test('journal rows written by the SQL store are moved into the logs at open, once', async () => {
  const f = await fixture()
  try {
    const canvasId = randomUUID()
    const author = randomUUID()
    const sql = new SqlDocumentStore(f.db)
    await sql.appendJournal([
      entry(canvasId, 'old-1', author),
      entry(canvasId, 'old-2'),
      entry(canvasId, 'old-3'),
    ])
    await sql.compact(canvasId, encoder.encode('old-1'), 1)

    const store = await f.open()
    const loaded = await store.loadDocument(canvasId)
    assert.is(decoder.decode(loaded.state ?? new Uint8Array()), 'old-1')
    assert.equal(tokens(loaded.journal), ['old-2', 'old-3'])
    assert.equal(await sql.journalStats(canvasId), { entries: 0, bytes: 0 }, 'the SQL rows are gone')
    assert.equal(await store.appendJournal([entry(canvasId, 'new')]), [4])
    await store.close()

    const reopened = await f.open()
    assert.equal(tokens((await reopened.loadDocument(canvasId)).journal), ['old-2', 'old-3', 'new'])
    await reopened.close()
  } finally {
    await f.dispose()
  }
})

test('with fsync on, appends land the same way', async () => {
  const f = await fixture()
  try {
    const canvasId = randomUUID()
    const store = await LogDocumentStore.open({
      dir: f.dir,
      states: new SqlDocumentStates(f.db),
      fsync: true,
    })
    assert.equal(await store.appendJournal([entry(canvasId, 'x'), entry(canvasId, 'y')]), [1, 2])
    await store.compact(canvasId, encoder.encode('x'), 1)
    assert.equal(tokens((await store.loadDocument(canvasId)).journal), ['y'])
    await store.close()
  } finally {
    await f.dispose()
  }
})

test('more canvases than open file descriptors: least recently used files are closed and reopened', async () => {
  const f = await fixture()
  try {
    const store = await LogDocumentStore.open({
      dir: f.dir,
      states: new SqlDocumentStates(f.db),
      maxOpenFiles: 3,
    })
    const canvases = Array.from({ length: 8 }, () => randomUUID())
    for (let round = 0; round < 3; round += 1) {
      assert.equal(
        await store.appendJournal(canvases.map((canvasId) => entry(canvasId, `r${round}`))),
        canvases.map(() => round + 1),
      )
    }
    for (const canvasId of canvases) {
      assert.equal(tokens((await store.loadDocument(canvasId)).journal), ['r0', 'r1', 'r2'])
    }
    await store.close()
  } finally {
    await f.dispose()
  }
})

test('an append still discovering its canvas when the store closes is refused and writes nothing', async () => {
  const f = await fixture()
  try {
    const store = await f.open()
    const canvasId = randomUUID()
    const appending = store.appendJournal([entry(canvasId, 'late')])
    await store.close()
    try {
      await appending
      assert.unreachable('the append must be refused')
    } catch (error) {
      assert.instance(error, Error)
      assert.match((error as Error).message, /closed/)
    }
    assert.not.ok(existsSync(join(f.dir, `${canvasId}.log`)), 'no log file was opened after close')
  } finally {
    await f.dispose()
  }
})

test('the directory is locked while a store has it open: a second opener is refused, a later one is not', async () => {
  const f = await fixture()
  try {
    const canvasId = randomUUID()
    const first = await f.open()
    assert.equal(await first.appendJournal([entry(canvasId, 'a')]), [1])
    try {
      await f.open()
      assert.unreachable('a second store on an open directory must be refused')
    } catch (error) {
      assert.instance(error, DirectoryInUseError)
      assert.match((error as Error).message, /journal directory/)
      assert.match((error as Error).message, f.dir)
    }
    // The refused opener touched nothing: the first store's seqs go on.
    assert.equal(await first.appendJournal([entry(canvasId, 'b')]), [2])
    await first.close()
    const second = await f.open()
    assert.equal(tokens((await second.loadDocument(canvasId)).journal), ['a', 'b'])
    await second.close()
  } finally {
    await f.dispose()
  }
})

test('a closed store refuses calls with a clear error', async () => {
  const f = await fixture()
  try {
    const store = await f.open()
    await store.close()
    try {
      await store.appendJournal([entry(randomUUID(), 'late')])
      assert.unreachable('append after close must reject')
    } catch (error) {
      assert.instance(error, Error)
      assert.match((error as Error).message, /closed/)
    }
  } finally {
    await f.dispose()
  }
})

test.run()
