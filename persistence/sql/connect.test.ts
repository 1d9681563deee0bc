import { sql } from 'kysely'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createTestPostgres } from '../../test/support/services.ts'
import { waitFor } from '../../test/support/wait.ts'
import { openSqlDatabase } from './connect.ts'

test('a terminated idle PostgreSQL connection is reported, never crashes the process, and the pool recovers', async () => {
  const database = await createTestPostgres()
  if (database === null) return
  const lost: Error[] = []
  const db = openSqlDatabase({
    kind: 'postgres',
    url: database.url,
    onIdleError: (error) => lost.push(error),
  })
  const admin = openSqlDatabase({ kind: 'postgres', url: database.url, poolSize: 1 })
  try {
    const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)
    const pid = rows[0]?.pid
    assert.type(pid, 'number')
    await sql`select pg_terminate_backend(${pid})`.execute(admin)
    await waitFor('the idle connection error to be reported', () => (lost.length > 0 ? true : undefined))
    const again = await sql<{ one: number }>`select 1 as one`.execute(db)
    assert.is(again.rows[0]?.one, 1)
  } finally {
    await db.destroy()
    await admin.destroy()
    await database.drop()
  }
})

test.run()
