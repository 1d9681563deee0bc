import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Database } from '../../schema/database.ts'
import { PGliteThread, PGliteThreadDialect } from './pglite/thread.ts'

export type SqlTarget =
  | {
      readonly kind: 'postgres'
      readonly url: string
      readonly poolSize?: number
      /**
       * Errors of idle pooled connections (the server restarted, an admin terminated them). pg emits them on the pool;
       * without a listener they would crash the process. The pool replaces such connections by itself.
       */
      readonly onIdleError?: (error: Error) => void
    }
  /** `dataDir` null = in-memory PGlite (tests). PGlite runs on its own thread (pglite/thread.ts). */
  | {
      readonly kind: 'pglite'
      readonly dataDir: string | null
      /** What the database thread could not do without failing (e.g. lower its priority); default console.warn. */
      readonly onWarning?: (message: string) => void
    }

// pg returns int8 as strings to avoid precision loss; our bigints (journal seqs) stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))

/** Opens a Kysely handle on PostgreSQL or embedded PGlite: the one place that knows the dialect. */
export function openSqlDatabase(target: SqlTarget): Kysely<Database> {
  switch (target.kind) {
    case 'postgres': {
      const pool = new pg.Pool({ connectionString: target.url, max: target.poolSize ?? 10 })
      pool.on(
        'error',
        target.onIdleError ?? ((error) => console.warn(`idle PostgreSQL connection lost: ${error.message}`)),
      )
      return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    }
    case 'pglite': {
      const thread = new PGliteThread(
        { dataDir: target.dataDir },
        target.onWarning ?? ((message) => console.warn(message)),
      )
      return new Kysely<Database>({ dialect: new PGliteThreadDialect(thread) })
    }
    default: {
      const never: never = target
      throw new Error(`unknown SQL target ${JSON.stringify(never)}`)
    }
  }
}
