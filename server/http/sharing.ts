import { Hono } from 'hono'
import { z } from 'zod'
import { type CanvasSharing, CanvasStore } from '../../persistence/sql/canvas-store.ts'
import { UserDirectory } from '../../persistence/sql/user-directory.ts'
import { auditRequest, callerOf } from './audit-context.ts'
import { requireCanvasRole } from './canvas-access.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { notFound } from './errors.ts'
import { readJson } from './validate.ts'
import { sharingView } from './views.ts'

/** Upper bound of grants in one request (bounds the statement and the audit row). */
const MAX_GRANTS = 1000

const SharingBody = z.object({
  visibility: z.enum(['private', 'team', 'public']),
  permissions: z
    .array(z.object({ user_id: z.guid('must be a user id'), role: z.enum(['viewer', 'editor', 'admin']) }))
    .max(MAX_GRANTS)
    .refine((grants) => new Set(grants.map((grant) => grant.user_id)).size === grants.length, {
      message: 'lists a user more than once',
    }),
  public_link: z.boolean(),
})

/**
 * Canvas sharing, managed by canvas admins: visibility, per-user grants and the public link. PUT replaces all
 * three; sockets of the canvas re-check their access on every instance right after.
 */
export function sharingRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const canvases = new CanvasStore(deps.metadata.db)
  const users = new UserDirectory(deps.metadata.db)

  app.get('/canvases/:canvasId/sharing', async (c) => {
    const { canvas } = await requireCanvasRole(deps, c, 'admin')
    return c.json(sharingView(canvas.id, await canvases.sharing(canvas.id)))
  })

  app.put('/canvases/:canvasId/sharing', async (c) => {
    const { canvas, organizationId } = await requireCanvasRole(deps, c, 'admin')
    const body = await readJson(c, SharingBody)
    // Grants go to users of the canvas's organization only; others look like unknown ids.
    const ids = body.permissions.map((grant) => grant.user_id)
    const known = await users.existing(organizationId, ids)
    if (ids.some((id) => !known.has(id))) throw notFound('user')
    const before = await canvases.sharing(canvas.id)
    const after = await canvases.replaceSharing(canvas.id, {
      visibility: body.visibility,
      publicLink: body.public_link,
      permissions: body.permissions.map((grant) => ({ userId: grant.user_id, role: grant.role })),
      grantedBy: c.get('principal').userId,
    })
    await deps.accessEvents.canvasChanged(canvas.id)
    auditRequest(deps, c, callerOf(c), {
      action: 'canvas.sharing_update',
      resourceType: 'canvas',
      resourceId: canvas.id,
      changes: sharingChanges(before, after),
    })
    return c.json(sharingView(canvas.id, after))
  })

  return app
}

/** What a sharing update changed, for the audit row (never the link token itself). */
function sharingChanges(before: CanvasSharing, after: CanvasSharing): Record<string, unknown> {
  const roles = (sharing: CanvasSharing) => new Map(sharing.permissions.map((g) => [g.user_id, g.role]))
  const was = roles(before)
  const now = roles(after)
  const grants: Record<string, { from: string | null; to: string | null }> = {}
  for (const userId of new Set([...was.keys(), ...now.keys()])) {
    const from = was.get(userId) ?? null
    const to = now.get(userId) ?? null
    if (from !== to) grants[userId] = { from, to }
  }
  return {
    visibility: { from: before.visibility, to: after.visibility },
    public_link: { from: before.publicLinkToken !== null, to: after.publicLinkToken !== null },
    grants,
  }
}
