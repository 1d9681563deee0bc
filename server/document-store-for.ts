import { join } from 'node:path'
import type { Kysely } from 'kysely'
import { LogDocumentStore } from '../persistence/log/log-document-store.ts'
import type { DocumentStore } from '../persistence/ports.ts'
import { SqlDocumentStates } from '../persistence/sql/document-states.ts'
import { SqlDocumentStore } from '../persistence/sql/document-store.ts'
import type { Database } from '../schema/database.ts'
import type { Config } from './config.ts'

export type DocumentStoreKind = 'mongodb' | 'postgresql' | 'local-log'

export function documentStoreKind(config: Config): DocumentStoreKind {
  if (config.mongo !== null) return 'mongodb'
  return config.databaseUrl !== null ? 'postgresql' : 'local-log'
}

/**
 * Where canvas documents live: MongoDB with MONGO_URL; PostgreSQL (journal and states, shared by every instance)
 * with DATABASE_URL; otherwise, embedded, journal logs under DATA_DIR/journal and states in the embedded PGlite
 * database `db`. Shared by the server and the scripts so both always open the same documents.
 */
export async function openDocumentStore(
  config: Config,
  db: Kysely<Database>,
  warn: (message: string, details: Record<string, unknown>) => void,
): Promise<DocumentStore> {
  const kind = documentStoreKind(config)
  switch (kind) {
    case 'mongodb': {
      if (config.mongo === null) throw new Error('invariant violated: mongodb store without MONGO_URL')
      const { connectMongoDocumentStore } = await import('../persistence/mongo/document-store.ts')
      return connectMongoDocumentStore(config.mongo.url, config.mongo.dbName)
    }
    case 'postgresql':
      return new SqlDocumentStore(db)
    case 'local-log':
      return LogDocumentStore.open({
        dir: join(config.dataDir, 'journal'),
        states: new SqlDocumentStates(db),
        fsync: config.journalFsync,
        warn,
      })
    default: {
      const never: never = kind
      throw new Error(`unknown document store ${String(never)}`)
    }
  }
}
