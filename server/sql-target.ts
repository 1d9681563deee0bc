import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { SqlTarget } from '../persistence/sql/connect.ts'
import type { Config } from './config.ts'

/** Where the database's own troubles are reported (default: console.warn). */
export interface DatabaseReports {
  /** PostgreSQL: an idle pooled connection was lost (the pool reconnects). */
  readonly onIdleError?: (error: Error) => void
  /** PGlite: something its thread could not do without failing (e.g. lower its priority). */
  readonly onWarning?: (message: string) => void
}

/**
 * Where metadata (and, without Mongo, documents) live: PostgreSQL at DATABASE_URL, else embedded PGlite under
 * DATA_DIR/pglite (created if missing). Shared by the server and the scripts so they always open the same database.
 */
export function sqlTargetFor(config: Config, report: DatabaseReports = {}): SqlTarget {
  if (config.databaseUrl !== null) {
    return report.onIdleError === undefined
      ? { kind: 'postgres', url: config.databaseUrl }
      : { kind: 'postgres', url: config.databaseUrl, onIdleError: report.onIdleError }
  }
  const dataDir = join(config.dataDir, 'pglite')
  mkdirSync(dataDir, { recursive: true })
  return report.onWarning === undefined
    ? { kind: 'pglite', dataDir }
    : { kind: 'pglite', dataDir, onWarning: report.onWarning }
}
