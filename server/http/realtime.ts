import { Hono } from 'hono'
import { z } from 'zod'
import { isUuid, roleAtLeast } from '../../persistence/sql/metadata-store.ts'
import { type LockService, leaseView } from '../locks/lock-service.ts'
import type { PresenceService } from '../presence/presence-service.ts'
import { loadCanvasAccess } from './canvases.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { ApiHttpError, forbidden, notFound } from './errors.ts'
import { parseWith, readJson } from './validate.ts'

/** What a lock break reports to the audit log. */
export type LockBreakAudit = (event: {
  readonly userId: string
  readonly organizationId: string
  readonly canvasId: string
  readonly blockId: string
  readonly brokenHolderId: string
}) => void

export interface RealtimeDeps {
  readonly locks: LockService
  readonly presence: PresenceService
  readonly auditLockBreak: LockBreakAudit
}

const BlockId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'may contain letters, digits, _ and - only')

const AcquireBody = z.object({
  /** Lease length; clamped to the server's bounds. */
  ttl_ms: z.number().int().positive().optional(),
  /** Renew the lease this token holds instead of acquiring. */
  token: z.string().min(1).max(128).optional(),
})

const ReleaseQuery = z.object({
  token: z.string().min(1).max(128).optional(),
  force: z.enum(['true', '1']).optional(),
})

/** Presence (who is on a canvas / a project's canvases) and block locks. */
export function realtimeRoutes(deps: HttpDeps, realtime: RealtimeDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const { locks, presence } = realtime

  app.get('/canvases/:canvasId/presence', async (c) => {
    const { canvas } = await loadCanvasAccess(deps, c.get('user'), c.req.param('canvasId'))
    const users = await presence.list(canvas.id)
    return c.json({
      canvas_id: canvas.id,
      users: users.map((entry) => ({
        user_id: entry.userId,
        display_name: entry.displayName,
        connections: entry.connections,
        cursor: entry.cursor,
        selection: entry.selection,
        last_seen: entry.lastSeen.toISOString(),
      })),
    })
  })

  app.get('/projects/:projectId/presence', async (c) => {
    const projectId = c.req.param('projectId')
    const project = isUuid(projectId)
      ? await deps.metadata.getProject(c.get('principal').organizationId, projectId)
      : undefined
    if (project === undefined || (await deps.metadata.projectRole(c.get('user'), project)) === null) {
      throw notFound('project')
    }
    const canvasIds = await deps.metadata.canvasIdsOfProject(project.id)
    const counts = await presence.countByCanvas(canvasIds)
    return c.json({
      project_id: project.id,
      canvases: canvasIds.map((id) => ({ canvas_id: id, users: counts.get(id) ?? 0 })),
    })
  })

  app.get('/canvases/:canvasId/locks', async (c) => {
    const { canvas } = await loadCanvasAccess(deps, c.get('user'), c.req.param('canvasId'))
    return c.json({ locks: (await locks.list(canvas.id)).map(leaseView) })
  })

  app.post('/canvases/:canvasId/locks/:blockId', async (c) => {
    const access = await loadCanvasAccess(deps, c.get('user'), c.req.param('canvasId'))
    if (!roleAtLeast(access.role, 'editor')) throw forbidden('only editors can lock blocks')
    const blockId = parseWith(BlockId, c.req.param('blockId'), 'blockId')
    const body = c.req.header('content-type')?.includes('json') ? await readJson(c, AcquireBody) : {}
    const userId = c.get('principal').userId
    if (body.token !== undefined) {
      const renewed = await locks.renew(access.canvas.id, blockId, body.token, body.ttl_ms)
      if (renewed === null) throw new ApiHttpError(409, 'the lease expired or was broken; acquire it again')
      return c.json({ ...leaseView(renewed), token: renewed.token })
    }
    const result = await locks.acquire(access.canvas.id, blockId, userId, body.ttl_ms)
    if (!result.ok) {
      return c.json({ error: 'block is locked by another user', held_by: leaseView(result.heldBy) }, 409)
    }
    return c.json({ ...leaseView(result.lease), token: result.lease.token }, 201)
  })

  app.delete('/canvases/:canvasId/locks/:blockId', async (c) => {
    const access = await loadCanvasAccess(deps, c.get('user'), c.req.param('canvasId'))
    const blockId = parseWith(BlockId, c.req.param('blockId'), 'blockId')
    const query = parseWith(ReleaseQuery, c.req.query(), 'query')
    const principal = c.get('principal')
    if (query.force !== undefined) {
      if (access.role !== 'admin') throw forbidden('only canvas admins can break locks')
      const broken = await locks.forceRelease(access.canvas.id, blockId)
      if (broken === null) throw notFound('lock')
      realtime.auditLockBreak({
        userId: principal.userId,
        organizationId: principal.organizationId,
        canvasId: access.canvas.id,
        blockId,
        brokenHolderId: broken.userId,
      })
      return c.json({ released: true, broken: leaseView(broken) })
    }
    if (query.token === undefined) throw new ApiHttpError(400, 'token: required to release a lock', 'token')
    if (!(await locks.release(access.canvas.id, blockId, query.token))) {
      throw new ApiHttpError(409, 'this token does not hold the lock (expired, released or broken)')
    }
    return c.json({ released: true })
  })

  return app
}
