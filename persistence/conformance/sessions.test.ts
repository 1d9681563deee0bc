import { randomBytes, randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../schema/database.ts'
import { migrateToLatest } from '../../schema/migrate.ts'
import { createTestPostgres, createTestRedis } from '../../test/support/services.ts'
import { RedisSessionStore } from '../redis/session-store.ts'
import { deleteKeysWithPrefix } from '../redis/testing.ts'
import { openSqlDatabase } from '../sql/connect.ts'
import { SqlSessionStore } from '../sql/session-store.ts'
import { type SessionHarness, sessionConformance } from './sessions.ts'

/** The sessions table references users, so SQL harnesses make real user rows. */
function sqlHarness(db: Kysely<Database>): SessionHarness {
  return {
    store: new SqlSessionStore(db),
    async newUser() {
      const name = `session-test-${randomBytes(6).toString('hex')}`
      const row = await db
        .insertInto('users')
        .values({ email: `${name}@example.test`, username: name })
        .returning('id')
        .executeTakeFirstOrThrow()
      return { userId: row.id, organizationId: randomUUID() }
    },
  }
}

// PGlite is one database for the whole suite: tests are isolated by their random users and token hashes.
const pglite = openSqlDatabase({ kind: 'pglite', dataDir: null })
await migrateToLatest(pglite)
sessionConformance(
  'sql (pglite)',
  async () => sqlHarness(pglite),
  () => pglite.destroy(),
)

const postgres = await createTestPostgres()
if (postgres !== null) {
  const db = openSqlDatabase({ kind: 'postgres', url: postgres.url, poolSize: 2 })
  await migrateToLatest(db)
  sessionConformance(
    'sql (postgresql)',
    async () => sqlHarness(db),
    async () => {
      await db.destroy()
      await postgres.drop()
    },
  )
}

const redis = await createTestRedis()
if (redis !== null) {
  sessionConformance(
    'redis',
    async () => ({
      store: new RedisSessionStore({ redis: redis.url, prefix: redis.prefix }),
      newUser: async () => ({ userId: randomUUID(), organizationId: randomUUID() }),
    }),
    () => deleteKeysWithPrefix(redis.url, redis.prefix),
  )
}
