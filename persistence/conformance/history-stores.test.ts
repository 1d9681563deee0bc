import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { MongoClient } from 'mongodb'
import type { Database } from '../../schema/database.ts'
import { migrateToLatest } from '../../schema/migrate.ts'
import { createTestPostgres, testMongoUrl } from '../../test/support/services.ts'
import { MongoCommentStore } from '../mongo/comment-store.ts'
import { MongoTemplateStore } from '../mongo/template-store.ts'
import { MongoVersionStore } from '../mongo/version-store.ts'
import { SqlCommentStore } from '../sql/comment-store.ts'
import { openSqlDatabase } from '../sql/connect.ts'
import { SqlTemplateStore } from '../sql/template-store.ts'
import { SqlVersionStore } from '../sql/version-store.ts'
import { commentStoreConformance } from './comment-store.ts'
import { TestClock } from './history-harness.ts'
import { templateStoreConformance } from './template-store.ts'
import { versionStoreConformance } from './version-store.ts'

/**
 * The three history ports (versions, templates, comments) on every adapter: PGlite always, PostgreSQL when
 * reachable (required with REQUIRE_SERVICES=1), MongoDB when MONGO_URL names a replica set. One database per
 * backend serves the three suites (uvu runs them in registration order; the last one releases it), so PGlite
 * starts once. Tests use fresh random ids, so they never see each other's rows.
 */

interface Backend {
  readonly versions: () => SqlVersionStore | MongoVersionStore
  readonly templates: (clock: TestClock) => SqlTemplateStore | MongoTemplateStore
  readonly comments: (clock: TestClock) => SqlCommentStore | MongoCommentStore
  readonly dispose: () => Promise<void>
}

/** Opens the backend on first use; `release` after the last suite closes it. */
function shared(open: () => Promise<Backend | null>) {
  let opened: Promise<Backend | null> | null = null
  return {
    get: () => {
      opened ??= open()
      return opened
    },
    release: async () => {
      const backend = await opened
      if (backend !== null && backend !== undefined) await backend.dispose()
    },
  }
}

function sqlBackend(db: Kysely<Database>, dispose: () => Promise<void>): Backend {
  return {
    versions: () => new SqlVersionStore(db),
    templates: (clock) => new SqlTemplateStore(db, { now: clock.now }),
    comments: (clock) => new SqlCommentStore(db, { now: clock.now }),
    dispose,
  }
}

function register(name: string, backend: ReturnType<typeof shared>): void {
  const keep = async () => undefined
  versionStoreConformance(name, async () => {
    const opened = await backend.get()
    return opened === null ? null : { store: opened.versions(), dispose: keep }
  })
  templateStoreConformance(name, async () => {
    const opened = await backend.get()
    if (opened === null) return null
    const clock = new TestClock()
    return { store: opened.templates(clock), clock, dispose: keep }
  })
  commentStoreConformance(name, async () => {
    const opened = await backend.get()
    if (opened === null) return null
    const clock = new TestClock()
    return { store: opened.comments(clock), clock, dispose: backend.release }
  })
}

register(
  'SQL on in-memory PGlite',
  shared(async () => {
    const db = openSqlDatabase({ kind: 'pglite', dataDir: null })
    await migrateToLatest(db)
    return sqlBackend(db, () => db.destroy())
  }),
)

register(
  'SQL on PostgreSQL',
  shared(async () => {
    const postgres = await createTestPostgres()
    if (postgres === null) return null
    const db = openSqlDatabase({ kind: 'postgres', url: postgres.url })
    await migrateToLatest(db)
    return sqlBackend(db, async () => {
      await db.destroy()
      await postgres.drop()
    })
  }),
)

const mongoUrl = testMongoUrl()
if (mongoUrl === null) {
  console.warn(
    'skipping the MongoDB history store conformance suites: MONGO_URL is not set (needs a replica set)',
  )
} else {
  register(
    'MongoDB',
    shared(async () => {
      const dbName = `jabiru_test_${randomBytes(6).toString('hex')}`
      const client = new MongoClient(mongoUrl)
      await client.connect()
      await new MongoVersionStore(client, dbName).ensureIndexes()
      return {
        versions: () => new MongoVersionStore(client, dbName),
        templates: (clock) => new MongoTemplateStore(client, dbName, { now: clock.now }),
        comments: (clock) => new MongoCommentStore(client, dbName, { now: clock.now }),
        async dispose() {
          try {
            await client.db(dbName).dropDatabase()
          } finally {
            await client.close()
          }
        },
      }
    }),
  )
}
