import type { Kysely } from 'kysely'
import type { Database, User, UserRole } from '../../schema/database.ts'
import { rethrowUnique } from './metadata-store.ts'

/**
 * The users of one organization, for its admins. Every method takes the caller's organization and never touches
 * another organization's users: an id from elsewhere behaves like an unknown id.
 */
export class UserDirectory {
  constructor(private readonly db: Kysely<Database>) {}

  /** Throws UniqueViolation('email' | 'username') when taken (by anyone, in any organization). */
  create(
    organizationId: string,
    input: {
      email: string
      username: string
      passwordHash: string
      role: UserRole
      firstName?: string | null
      lastName?: string | null
    },
  ): Promise<User> {
    return rethrowUnique(() =>
      this.db
        .insertInto('users')
        .values({
          email: input.email,
          username: input.username,
          hashed_password: input.passwordHash,
          organization_id: organizationId,
          role: input.role,
          first_name: input.firstName ?? null,
          last_name: input.lastName ?? null,
          settings: '{}',
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
    )
  }

  list(organizationId: string): Promise<User[]> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
  }

  get(organizationId: string, userId: string): Promise<User | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', userId)
      .where('organization_id', '=', organizationId)
      .executeTakeFirst()
  }

  /** Of `userIds`, those that are users of the organization. */
  async existing(organizationId: string, userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set()
    const rows = await this.db
      .selectFrom('users')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('id', 'in', [...userIds])
      .execute()
    return new Set(rows.map((row) => row.id))
  }

  /** Changes role and names; undefined when not a user of the organization. */
  update(
    organizationId: string,
    userId: string,
    patch: {
      readonly role?: UserRole
      readonly first_name?: string | null
      readonly last_name?: string | null
    },
  ): Promise<User | undefined> {
    return this.db
      .updateTable('users')
      .set({ ...patch, updated_at: new Date() })
      .where('id', '=', userId)
      .where('organization_id', '=', organizationId)
      .returningAll()
      .executeTakeFirst()
  }

  /** Marks the user inactive (idempotent); undefined when not a user of the organization. */
  deactivate(organizationId: string, userId: string): Promise<User | undefined> {
    return this.db
      .updateTable('users')
      .set({ is_active: false, updated_at: new Date() })
      .where('id', '=', userId)
      .where('organization_id', '=', organizationId)
      .returningAll()
      .executeTakeFirst()
  }
}
