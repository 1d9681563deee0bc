import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { once } from '../../../test/support/wait.ts'
import { isUniqueViolation } from '../bytes.ts'
import { openSqlDatabase } from '../connect.ts'

const REPO_DIR = fileURLToPath(new URL('../../..', import.meta.url))

// Opening PGlite takes seconds: the tests that need a working database share one (each uses its own table).
const db = openSqlDatabase({ kind: 'pglite', dataDir: null })
test.after(() => db.destroy())

test('a database error crosses the thread with its message and SQLSTATE code', async () => {
  await sql`create table unique_ids (id int primary key)`.execute(db)
  await sql`insert into unique_ids values (1)`.execute(db)
  const error = await sql`insert into unique_ids values (1)`.execute(db).then(
    () => null,
    (e: unknown) => e,
  )
  assert.ok(error instanceof Error)
  assert.ok(isUniqueViolation(error), 'unique_violation (23505) is recognised')
  assert.match(error.message, /duplicate key/)
})

test('the database runs with 48 MB of shared buffers, not the 128 MB PostgreSQL would take (resident memory)', async () => {
  const { rows } = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(db)
  assert.equal(rows, [{ shared_buffers: '48MB' }])
})

test('a transaction has the session to itself: a query made meanwhile waits for its commit', async () => {
  await sql`create table t (id int)`.execute(db)
  let release: () => void = () => undefined
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  const order: string[] = []
  let inserted: () => void = () => undefined
  const insertDone = new Promise<void>((resolve) => {
    inserted = resolve
  })
  const transaction = db.transaction().execute(async (trx) => {
    await sql`insert into t values (1)`.execute(trx)
    inserted()
    await held
    await sql`insert into t values (2)`.execute(trx)
    order.push('commit')
  })
  await insertDone
  // On PGlite's single session, a query interleaved into the open transaction would see its rows early.
  const outside = sql<{ n: number }>`select count(*)::int as n from t`.execute(db).then((result) => {
    order.push('outside')
    return result.rows[0]?.n
  })
  release()
  await transaction
  assert.is(await outside, 2)
  assert.equal(order, ['commit', 'outside'])

  const failed = await db
    .transaction()
    .execute(async (trx) => {
      await sql`insert into t values (3)`.execute(trx)
      throw new Error('abort')
    })
    .then(
      () => null,
      (e: unknown) => e,
    )
  assert.ok(failed instanceof Error)
  const after = await sql<{ n: number }>`select count(*)::int as n from t`.execute(db)
  assert.is(after.rows[0]?.n, 2, 'the rolled-back insert left nothing')
})

test('bytea crosses the thread as bytes both ways, through the native codec', async () => {
  await sql`create table blobs (id int primary key, data bytea)`.execute(db)
  const large = Uint8Array.from({ length: 1_000_000 }, (_, i) => (i * 31) % 256)
  const values = [large, new Uint8Array(0), Uint8Array.from({ length: 256 }, (_, i) => i)]
  for (const [id, data] of values.entries()) await sql`insert into blobs values (${id}, ${data})`.execute(db)
  const { rows } = await sql<{ id: number; data: unknown; hex: string }>`
    select id, data, encode(data, 'hex') as hex from blobs order by id`.execute(db)
  assert.is(rows.length, values.length)
  for (const [id, row] of rows.entries()) {
    const expected = values[id] ?? new Uint8Array(0)
    assert.ok(row.data instanceof Uint8Array, 'a Uint8Array on the loop, not text')
    assert.ok(Buffer.from(row.data).equals(expected), `value ${id} read back unchanged`)
    // What the database itself holds, so a wrong write and a matching wrong read cannot cancel out.
    assert.is(row.hex, Buffer.from(expected).toString('hex'), `value ${id} stored unchanged`)
  }
})

test('the event loop keeps running while the database executes a long query', async () => {
  await sql`select 1`.execute(db)
  let turns = 0
  let running = true
  const spin = (): void => {
    if (!running) return
    turns++
    setImmediate(spin)
  }
  setImmediate(spin)
  // Hundreds of ms of WebAssembly: on the loop's own thread no turn could run until it returned.
  const result = await sql<{
    s: string
  }>`select sum(i)::text as s from generate_series(1, 3000000) as i`.execute(db)
  running = false
  assert.is(result.rows[0]?.s, '4500001500000')
  assert.ok(turns > 20, `the loop turned ${turns} times during the query`)
})

test('a database that cannot be opened fails every query with the reason, never hangs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'jabiru-pglite-bad-'))
  const notADirectory = join(dir, 'file')
  writeFileSync(notADirectory, 'not a database')
  const db = openSqlDatabase({ kind: 'pglite', dataDir: notADirectory })
  try {
    for (let i = 0; i < 2; i++) {
      const error = await sql`select 1`.execute(db).then(
        () => null,
        (e: unknown) => e,
      )
      assert.ok(error instanceof Error)
      assert.match(error.message, /embedded database could not be opened/)
    }
  } finally {
    await db.destroy()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('an idle database thread does not keep the process alive', async () => {
  const script = [
    "import { sql } from 'kysely'",
    "import { openSqlDatabase } from './persistence/sql/connect.ts'",
    "const db = openSqlDatabase({ kind: 'pglite', dataDir: null })",
    'const { rows } = await sql`select 41 + 1 as answer`.execute(db)',
    'process.stdout.write(String(rows[0].answer))',
  ].join('\n')
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO_DIR,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const code = await once<number | null>(
    (listener) => {
      child.once('exit', listener)
      return () => child.off('exit', listener)
    },
    'the script to end by itself',
    60_000,
  ).finally(() => child.kill('SIGKILL'))
  assert.is(code, 0, 'the script ended by itself')
  assert.is(output.trim(), '42', 'the query was answered before the process ended')
})

test.run()
