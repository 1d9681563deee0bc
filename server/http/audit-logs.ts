import { Hono } from 'hono'
import { z } from 'zod'
import { pageOf } from '../../persistence/paging/page.ts'
import { type AuditCursor, AuditLogStore } from '../../persistence/sql/audit-store.ts'
import type { AuditLogPage } from '../../shared/api.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { badRequest, forbidden } from './errors.ts'
import { readQuery } from './params.ts'
import { auditLogView } from './views.ts'

const DEFAULT_PAGE = 100
const MAX_PAGE = 500

const Timestamp = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 timestamp' })

const AuditQuery = z.object({
  user_id: z.guid('must be a user id').optional(),
  action: z.string().min(1).max(255).optional(),
  resource_type: z.string().min(1).max(50).optional(),
  resource_id: z.guid('must be a resource id').optional(),
  from: Timestamp.optional(),
  to: Timestamp.optional(),
  cursor: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(DEFAULT_PAGE),
})

const CursorShape = z.tuple([Timestamp, z.guid()])

/** Cursors are opaque to clients: base64url of [created_at, id] of the last row of a page. */
export function encodeCursor(cursor: AuditCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url')
}

function decodeCursor(raw: string): AuditCursor {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
  } catch {
    throw badRequest('cursor: not a cursor from this API', 'cursor')
  }
  const parsed = CursorShape.safeParse(value)
  if (!parsed.success) throw badRequest('cursor: not a cursor from this API', 'cursor')
  return { createdAt: new Date(parsed.data[0]), id: parsed.data[1] }
}

/** The organization's audit trail, for its admins: filtered, newest first, cursor-paginated. */
export function auditLogRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const store = new AuditLogStore(deps.metadata.db)

  app.get('/audit-logs', async (c) => {
    if (c.get('user').role !== 'admin') throw forbidden('only organization admins read audit logs')
    const query = readQuery(c, AuditQuery)
    // One extra row tells whether another page exists.
    const rows = await store.query({
      organizationId: c.get('principal').organizationId,
      userId: query.user_id,
      action: query.action,
      resourceType: query.resource_type,
      resourceId: query.resource_id,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: query.limit + 1,
    })
    const page = pageOf(rows, query.limit, auditLogView, (last) =>
      encodeCursor({ createdAt: new Date(last.created_at), id: last.id }),
    )
    const response: AuditLogPage = { entries: page.items, next_cursor: page.next }
    return c.json(response)
  })

  return app
}
