import { randomBytes } from 'node:crypto'
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { Binary, MongoClient } from 'mongodb'
import type { Database } from '../../schema/database.ts'
import { migrateToLatest } from '../../schema/migrate.ts'
import { createTestPostgres, testMongoUrl } from '../../test/support/services.ts'
import { LogDocumentStore } from '../log/log-document-store.ts'
import { encodeRecords } from '../log/record.ts'
import { CANVAS_JOURNAL, type JournalDocument } from '../mongo/collections.ts'
import { MongoDocumentStore } from '../mongo/document-store.ts'
import { openSqlDatabase } from '../sql/connect.ts'
import { SqlDocumentStates } from '../sql/document-states.ts'
import { SqlDocumentStore } from '../sql/document-store.ts'
import { type DocumentStoreHarness, documentStoreConformance } from './document-store.ts'

async function sqlHarness(db: Kysely<Database>, release: () => Promise<void>): Promise<DocumentStoreHarness> {
  await migrateToLatest(db)
  const store = new SqlDocumentStore(db)
  return {
    store,
    async plantJournalEntry(canvasId, seq) {
      await db
        .insertInto('canvas_journal')
        .values({ canvas_id: canvasId, seq, update: new Uint8Array(0), author_id: null })
        .execute()
    },
    async dispose() {
      await store.close()
      await db.destroy()
      await release()
    },
  }
}

documentStoreConformance('SqlDocumentStore on in-memory PGlite', () =>
  sqlHarness(openSqlDatabase({ kind: 'pglite', dataDir: null }), async () => undefined),
)

documentStoreConformance('LogDocumentStore (log files + states in in-memory PGlite)', async () => {
  const db = openSqlDatabase({ kind: 'pglite', dataDir: null })
  await migrateToLatest(db)
  const dir = mkdtempSync(join(tmpdir(), 'jabiru-log-conformance-'))
  const store = await LogDocumentStore.open({ dir, states: new SqlDocumentStates(db) })
  return {
    store,
    async plantJournalEntry(canvasId, seq) {
      // The store must already track the canvas for the planted record to be a write behind its back.
      await store.journalStats(canvasId)
      const record = { seq, createdAt: Date.now(), authorId: null, update: new Uint8Array(0) }
      appendFileSync(join(dir, `${canvasId}.log`), encodeRecords([record]))
    },
    async dispose() {
      await store.close()
      await db.destroy()
      rmSync(dir, { recursive: true, force: true })
    },
  }
})

// Top-level await: the service probe decides whether the suite is registered at all (null = skip, logged).
const postgres = await createTestPostgres()
if (postgres !== null) {
  documentStoreConformance('SqlDocumentStore on PostgreSQL', () =>
    sqlHarness(openSqlDatabase({ kind: 'postgres', url: postgres.url }), () => postgres.drop()),
  )
}

const mongoUrl = testMongoUrl()
if (mongoUrl === null) {
  console.warn('skipping MongoDocumentStore conformance: MONGO_URL is not set (needs a replica set)')
} else {
  documentStoreConformance('MongoDocumentStore', async () => {
    const dbName = `jabiru_test_${randomBytes(6).toString('hex')}`
    const client = new MongoClient(mongoUrl)
    await client.connect()
    const store = new MongoDocumentStore(client, dbName)
    await store.ensureIndexes()
    return {
      store,
      async plantJournalEntry(canvasId, seq) {
        await client
          .db(dbName)
          .collection<JournalDocument>(CANVAS_JOURNAL)
          .insertOne({
            canvas_id: canvasId,
            seq,
            update: new Binary(new Uint8Array(0)),
            author_id: null,
            created_at: new Date(),
          })
      },
      async dispose() {
        try {
          await client.db(dbName).dropDatabase()
        } finally {
          await store.close()
          await client.close()
        }
      },
    }
  })
}
