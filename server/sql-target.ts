import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { SqlTarget } from '../persistence/sql/connect.ts'
import type { Config } from './config.ts'

/**
 * Where metadata (and, without Mongo, documents) live: PostgreSQL at DATABASE_URL, else embedded PGlite under
 * DATA_DIR/pglite (created if missing). Shared by the server and the scripts so they always open the same database.
 */
export function sqlTargetFor(config: Config, onIdleError?: (error: Error) => void): SqlTarget {
  if (config.databaseUrl !== null) {
    return onIdleError === undefined
      ? { kind: 'postgres', url: config.databaseUrl }
      : { kind: 'postgres', url: config.databaseUrl, onIdleError }
  }
  const dataDir = join(config.dataDir, 'pglite')
  mkdirSync(dataDir, { recursive: true })
  return { kind: 'pglite', dataDir }
}
