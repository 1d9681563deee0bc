/**
 * Retention (data model 5.6.2), its own composition root: `npm run retention [-- --dry-run]`.
 *
 * Reads the same environment as the server through server/config.ts (DATABASE_URL or DATA_DIR's PGlite,
 * MONGO_URL, RETENTION_VERSION_DAYS, RETENTION_DELETED_CANVAS_DAYS, RETENTION_DELETED_COMMENT_DAYS) and:
 * - purges canvases soft-deleted longer than their retention period: comments, versions, document and journal,
 *   then the metadata row;
 * - prunes versions older than the version retention, keeping every keyframe and delta a kept version needs;
 * - purges comments deleted longer than the comment retention.
 * Prints a JSON report on stdout. With --dry-run it writes nothing and reports what it would delete.
 *
 * PGlite (no DATABASE_URL) is single-process: run this only while the server using the same DATA_DIR is stopped.
 */
import type { CommentStore, DocumentStore, VersionStore } from '../persistence/ports.ts'
import { openSqlDatabase } from '../persistence/sql/connect.ts'
import { DeletedCanvasStore } from '../persistence/sql/deleted-canvases.ts'
import { sqlHistoryStores } from '../persistence/sql/history-stores.ts'
import { migrateToLatest } from '../schema/migrate.ts'
import { type Config, ConfigError, parseConfig } from '../server/config.ts'
import { openDocumentStore } from '../server/document-store-for.ts'
import { cutoffsFor, runRetention } from '../server/history/retention.ts'
import { sqlTargetFor } from '../server/sql-target.ts'

const DRY_RUN_FLAG = '--dry-run'

interface Stores {
  readonly documents: DocumentStore
  readonly versions: VersionStore
  readonly comments: CommentStore
  close(): Promise<void>
}

async function openStores(config: Config, db: ReturnType<typeof openSqlDatabase>): Promise<Stores> {
  const documents = await openDocumentStore(config, db, (message, details) => console.warn(message, details))
  if (config.mongo === null) {
    const history = sqlHistoryStores(db)
    return {
      documents,
      ...history,
      async close() {
        await Promise.all([documents.close(), history.close()])
      },
    }
  }
  const { connectMongoHistoryStores } = await import('../persistence/mongo/history-stores.ts')
  const history = await connectMongoHistoryStores(config.mongo.url, config.mongo.dbName)
  return {
    documents,
    versions: history.versions,
    comments: history.comments,
    async close() {
      await Promise.all([documents.close(), history.close()])
    },
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const unknown = args.filter((arg) => arg !== DRY_RUN_FLAG)
  if (unknown.length > 0)
    throw new ConfigError(`unknown arguments: ${unknown.join(' ')} (only ${DRY_RUN_FLAG})`)
  const dryRun = args.includes(DRY_RUN_FLAG)
  const config = parseConfig(process.env)
  const target = sqlTargetFor(config)
  const db = openSqlDatabase(target)
  try {
    await migrateToLatest(db)
    const stores = await openStores(config, db)
    try {
      const report = await runRetention(
        {
          versions: stores.versions,
          comments: stores.comments,
          documents: stores.documents,
          deletedCanvases: new DeletedCanvasStore(db),
        },
        cutoffsFor(config.retention, new Date()),
        { dryRun },
      )
      console.log(JSON.stringify(report, null, 2))
    } finally {
      await stores.close()
    }
  } finally {
    await db.destroy()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(error instanceof ConfigError ? 2 : 1)
})
