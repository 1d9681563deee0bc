/**
 * `npm run migrate`: applies pending migrations to the database the server would use (DATABASE_URL, else the
 * embedded PGlite under DATA_DIR). `npm run migrate -- --status` only lists them. The server also migrates at start-up;
 * this is for deploys that migrate before rolling out instances.
 */
import { Migrator } from 'kysely'
import { openSqlDatabase } from '../persistence/sql/connect.ts'
import { migrateToLatest } from '../schema/migrate.ts'
import { migrations } from '../schema/migrations/index.ts'
import { ConfigError, parseConfig } from '../server/config.ts'
import { sqlTargetFor } from '../server/sql-target.ts'

const STATUS_FLAG = '--status'

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const unknown = args.filter((arg) => arg !== STATUS_FLAG)
  if (unknown.length > 0)
    throw new ConfigError(`unknown arguments: ${unknown.join(' ')} (only ${STATUS_FLAG})`)
  const config = parseConfig(process.env)
  const db = openSqlDatabase(sqlTargetFor(config))
  try {
    if (args.includes(STATUS_FLAG)) {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...migrations }) } })
      for (const migration of await migrator.getMigrations()) {
        console.log(`${migration.executedAt === undefined ? 'pending ' : 'applied '} ${migration.name}`)
      }
      return
    }
    const applied = await migrateToLatest(db)
    if (applied.length === 0) console.log('database is up to date')
    for (const result of applied) console.log(`applied  ${result.migrationName}`)
  } finally {
    await db.destroy()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(error instanceof ConfigError ? 2 : 1)
})
