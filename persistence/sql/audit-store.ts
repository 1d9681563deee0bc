import type { Kysely } from 'kysely'
import type { AuditLog, Database, JsonObject } from '../../schema/database.ts'

/** One audit row as the application produces it. `createdAt` is when the action happened, not when it was written. */
export interface AuditRow {
  readonly userId: string | null
  readonly organizationId: string | null
  readonly action: string
  readonly resourceType: string
  readonly resourceId: string | null
  readonly changes: JsonObject | null
  readonly ipAddress: string | null
  readonly userAgent: string | null
  readonly createdAt: Date
}

/** Position in the newest-first order: rows strictly after this one are returned. */
export interface AuditCursor {
  readonly createdAt: Date
  readonly id: string
}

export interface AuditQuery {
  /** Always set: audit logs are read per organization only. */
  readonly organizationId: string
  readonly userId?: string
  readonly action?: string
  readonly resourceType?: string
  readonly resourceId?: string
  /** Inclusive lower bound of created_at. */
  readonly from?: Date
  /** Exclusive upper bound of created_at. */
  readonly to?: Date
  readonly after?: AuditCursor
  readonly limit: number
}

/** audit_logs through Kysely: batched inserts (AuditWriter) and the filtered, keyset-paginated admin listing. */
export class AuditLogStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts every row in one statement (all or nothing). */
  async insertMany(rows: readonly AuditRow[]): Promise<void> {
    if (rows.length === 0) return
    await this.db
      .insertInto('audit_logs')
      .values(
        rows.map((row) => ({
          user_id: row.userId,
          organization_id: row.organizationId,
          action: row.action,
          resource_type: row.resourceType,
          resource_id: row.resourceId,
          changes: row.changes === null ? null : JSON.stringify(row.changes),
          ip_address: row.ipAddress,
          user_agent: row.userAgent,
          created_at: row.createdAt,
        })),
      )
      .execute()
  }

  /** Newest first, ties broken by id, so a cursor (created_at, id) resumes exactly where a page ended. */
  query(query: AuditQuery): Promise<AuditLog[]> {
    let select = this.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('organization_id', '=', query.organizationId)
    if (query.userId !== undefined) select = select.where('user_id', '=', query.userId)
    if (query.action !== undefined) select = select.where('action', '=', query.action)
    if (query.resourceType !== undefined) select = select.where('resource_type', '=', query.resourceType)
    if (query.resourceId !== undefined) select = select.where('resource_id', '=', query.resourceId)
    if (query.from !== undefined) select = select.where('created_at', '>=', query.from)
    if (query.to !== undefined) select = select.where('created_at', '<', query.to)
    const after = query.after
    if (after !== undefined) {
      select = select.where((eb) =>
        eb.or([
          eb('created_at', '<', after.createdAt),
          eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]),
        ]),
      )
    }
    return select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute()
  }
}
