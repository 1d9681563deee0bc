import { type Kysely, sql } from 'kysely'
import type { Database } from '../../schema/database.ts'
import type { Session, SessionStore } from '../ports.ts'

/** A database failure with the session operation that hit it; the driver error is kept as `cause`. */
export class SqlSessionStoreError extends Error {
  override readonly name = 'SqlSessionStoreError'

  constructor(operation: string, cause: unknown) {
    super(`session ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
  }
}

async function run<T>(operation: string, query: () => Promise<T>): Promise<T> {
  try {
    return await query()
  } catch (error) {
    throw new SqlSessionStoreError(operation, error)
  }
}

/**
 * Sessions in the `sessions` table (PostgreSQL or embedded PGlite). Liveness is judged by the database clock
 * (`now()`), so every instance sharing the database agrees on expiry. Expired rows are invisible to get() and
 * removed when their user's sessions are revoked; bulk purging of old rows belongs to a retention job.
 *
 * The Kysely handle belongs to the caller: close() leaves it open.
 */
export class SqlSessionStore implements SessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async create(session: Session): Promise<void> {
    await run('create', () =>
      this.db
        .insertInto('sessions')
        .values({
          token_hash: session.tokenHash,
          user_id: session.userId,
          organization_id: session.organizationId,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
        })
        .execute(),
    )
  }

  async get(tokenHash: string): Promise<Session | null> {
    const row = await run('get', () =>
      this.db
        .selectFrom('sessions')
        .select(['token_hash', 'user_id', 'organization_id', 'created_at', 'expires_at'])
        .where('token_hash', '=', tokenHash)
        .where('expires_at', '>', sql<Date>`now()`)
        .executeTakeFirst(),
    )
    if (row === undefined) return null
    return {
      tokenHash: row.token_hash,
      userId: row.user_id,
      organizationId: row.organization_id,
      createdAt: new Date(row.created_at),
      expiresAt: new Date(row.expires_at),
    }
  }

  async revoke(tokenHash: string): Promise<void> {
    await run('revoke', () => this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute())
  }

  async revokeAllForUser(userId: string): Promise<number> {
    // Deletes expired rows too, but counts only the live ones: those are the sessions actually revoked.
    const rows = await run('revoke all', () =>
      this.db
        .deleteFrom('sessions')
        .where('user_id', '=', userId)
        .returning(sql<boolean>`expires_at > now()`.as('live'))
        .execute(),
    )
    return rows.filter((row) => row.live).length
  }

  async close(): Promise<void> {
    // The database handle is shared and owned by the caller.
  }
}
