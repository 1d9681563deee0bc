import { Hono } from 'hono'
import * as Y from 'yjs'
import { z } from 'zod'
import { CanvasStore } from '../../persistence/sql/canvas-store.ts'
import type { User } from '../../schema/database.ts'
import { updateCanvasMeta } from '../../shared/canvas/meta.ts'
import { readCanvasDoc, readCanvasJSON } from '../rooms/registry.ts'
import { auditRequest, callerOf } from './audit-context.ts'
import { LinkToken, requireCanvasRole } from './canvas-access.ts'
import { changedFields } from './changes.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { badRequest, notFound } from './errors.ts'
import { readQuery } from './params.ts'
import { readJson } from './validate.ts'
import { canvasView } from './views.ts'

/** The canvas with the caller's effective role, or 404 when the caller may not know it exists. */
export async function loadCanvasAccess(deps: HttpDeps, user: User, canvasId: string) {
  const access = await deps.metadata.canvasAccess(user, canvasId)
  if (access === null) throw notFound('canvas')
  return access
}

const ReadCanvasQuery = z.object({
  /** A public link token: viewer access for any signed-in user while the link is on. */
  link: LinkToken.optional(),
})

const UpdateCanvasBody = z.object({
  name: z.string().trim().min(1).max(255).optional(),
  description: z.string().max(10_000).nullable().optional(),
})

export function canvasRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const canvases = new CanvasStore(deps.metadata.db)

  app.get('/canvases/:canvasId', async (c) => {
    const query = readQuery(c, ReadCanvasQuery)
    const access = await requireCanvasRole(deps, c, 'viewer', query.link ?? null)
    const [document, commentsCount] = await Promise.all([
      readCanvasJSON(deps.registry, deps.documents, access.canvas.id, deps.log),
      deps.history.comments.count(access.canvas.id),
    ])
    return c.json({
      ...canvasView(access.canvas, access.role),
      document,
      interactions: { comments_count: commentsCount },
    })
  })

  /** Editors rename and describe; the document's meta follows (journaled like any change, seen live). */
  app.patch('/canvases/:canvasId', async (c) => {
    const access = await requireCanvasRole(deps, c, 'editor')
    const body = await readJson(c, UpdateCanvasBody)
    if (Object.keys(body).length === 0) throw badRequest('body: nothing to change', 'body')
    const updated = await canvases.update(access.canvas.id, body)
    if (updated === undefined) throw notFound('canvas')
    await syncDocumentMeta(deps, updated.id, updated.name, updated.description, c.get('principal').userId)
    auditRequest(deps, c, callerOf(c), {
      action: 'canvas.update',
      resourceType: 'canvas',
      resourceId: updated.id,
      changes: changedFields(access.canvas, updated, ['name', 'description']),
    })
    return c.json(canvasView(updated, access.role))
  })

  /** Canvas admins delete (soft: deleted_at); open sockets on every instance close with 4404. */
  app.delete('/canvases/:canvasId', async (c) => {
    const access = await requireCanvasRole(deps, c, 'admin')
    const deleted = await canvases.softDelete(access.canvas.id)
    if (deleted === undefined) throw notFound('canvas')
    await deps.accessEvents.canvasChanged(deleted.id)
    auditRequest(deps, c, callerOf(c), {
      action: 'canvas.delete',
      resourceType: 'canvas',
      resourceId: deleted.id,
      changes: { name: deleted.name, project_id: deleted.project_id },
    })
    return c.body(null, 204)
  })

  return app
}

/** Writes name and description into the Y.Doc meta through the registry (wherever the canvas is loaded). */
async function syncDocumentMeta(
  deps: HttpDeps,
  canvasId: string,
  name: string,
  description: string | null,
  authorId: string,
): Promise<void> {
  const doc = await readCanvasDoc(deps.registry, deps.documents, canvasId, deps.log)
  try {
    const updates: Uint8Array[] = []
    doc.on('update', (update: Uint8Array) => updates.push(update))
    // Only changed fields are written, so a concurrent edit of the other field is not clobbered.
    updateCanvasMeta(doc, { name, description: description ?? '' })
    if (updates.length > 0) {
      await deps.registry.submitServerUpdate(canvasId, Y.mergeUpdates(updates), 'canvas-meta', authorId)
    }
  } finally {
    doc.destroy()
  }
}
