import { sql } from 'kysely'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { openSqlDatabase, type SqlTarget } from '../persistence/sql/connect.ts'
import { createTestPostgres } from '../test/support/services.ts'
import { migrateToEmpty, migrateToLatest } from './migrate.ts'
import { migrations } from './migrations/index.ts'

const TABLES = [
  'organizations',
  'users',
  'projects',
  'project_members',
  'saved_queries',
  'audit_logs',
  'canvases',
  'sessions',
  'canvas_documents',
  'canvas_journal',
  'canvas_versions',
  'canvas_materialized',
  'canvas_templates',
  'canvas_comments',
]
const INDEXES = [
  'idx_projects_org',
  'idx_projects_org_active',
  'idx_canvas_project_updated',
  'idx_audit_logs_user',
  'idx_audit_user_action_time',
]

function check(name: string, target: () => Promise<{ target: SqlTarget; drop: () => Promise<void> } | null>) {
  const test = suite(`migrations on ${name}`)
  test('apply cleanly on an empty database, roll back, and apply again', async () => {
    const setup = await target()
    if (setup === null) return
    const db = openSqlDatabase(setup.target)
    try {
      const applied = await migrateToLatest(db)
      assert.equal(
        applied.map((result) => `${result.migrationName}:${result.status}`),
        Object.keys(migrations).map((migration) => `${migration}:Success`),
      )
      assert.equal(await migrateToLatest(db), [], 'nothing pending on a second run')
      const tables = await sql<{ table_name: string }>`
        select table_name from information_schema.tables where table_schema = 'public'`.execute(db)
      const names = new Set(tables.rows.map((row) => row.table_name))
      for (const table of TABLES) assert.ok(names.has(table), `table ${table}`)
      const indexes = await sql<{
        indexname: string
      }>`select indexname from pg_indexes where schemaname = 'public'`.execute(db)
      const indexNames = new Set(indexes.rows.map((row) => row.indexname))
      for (const index of INDEXES) assert.ok(indexNames.has(index), `index ${index}`)
      // Constraints from the data model hold.
      const badRole = await sql`insert into project_members (project_id, user_id, role)
        values (gen_random_uuid(), gen_random_uuid(), 'owner')`
        .execute(db)
        .then(
          () => 'accepted',
          (error: unknown) => String(error),
        )
      assert.is.not(badRole, 'accepted', 'an unknown member role is refused')
      const storage = await sql<{ attstorage: string }>`
        select attstorage from pg_attribute
        where attrelid = 'canvas_documents'::regclass and attname = 'state'`.execute(db)
      assert.is(storage.rows[0]?.attstorage, 'e', 'canvas states are stored uncompressed (0006)')
      await migrateToEmpty(db)
      const after = await sql<{ n: number }>`
        select count(*)::int as n from information_schema.tables
        where table_schema = 'public' and table_name = any(${TABLES})`.execute(db)
      assert.is(after.rows[0]?.n, 0, 'down migrations remove every table')
      assert.is((await migrateToLatest(db)).length, Object.keys(migrations).length)
    } finally {
      await db.destroy()
      await setup.drop()
    }
  })
  test.run()
}

check('PGlite', async () => ({ target: { kind: 'pglite', dataDir: null }, drop: async () => undefined }))
check('PostgreSQL', async () => {
  const database = await createTestPostgres()
  return database === null
    ? null
    : { target: { kind: 'postgres', url: database.url }, drop: () => database.drop() }
})
