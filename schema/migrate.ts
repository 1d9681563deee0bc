import { type Kysely, type MigrationResult, Migrator } from 'kysely'
import { migrations } from './migrations/index.ts'

export class MigrationError extends Error {
  override readonly name = 'MigrationError'
}

/** Applies every pending migration; throws naming the migration that failed. */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<MigrationResult[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...migrations }) } })
  const { error, results = [] } = await migrator.migrateToLatest()
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')
    throw new MigrationError(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(error)}`, {
      cause: error,
    })
  }
  return results
}

/** Rolls back every migration (tests only). */
export async function migrateToEmpty<DB>(db: Kysely<DB>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...migrations }) } })
  for (;;) {
    const { error, results = [] } = await migrator.migrateDown()
    if (error !== undefined) throw new MigrationError(`rollback failed: ${String(error)}`, { cause: error })
    if (results.length === 0) return
  }
}
