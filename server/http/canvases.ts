import { Hono } from 'hono'
import type { User } from '../../schema/database.ts'
import { toCanvasJSON } from '../../shared/canvas/json.ts'
import { readCanvasDoc } from '../rooms/registry.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { notFound } from './errors.ts'
import { canvasView } from './views.ts'

/** The canvas with the caller's effective role, or 404 when the caller may not know it exists. */
export async function loadCanvasAccess(deps: HttpDeps, user: User, canvasId: string) {
  const access = await deps.metadata.canvasAccess(user, canvasId)
  if (access === null) throw notFound('canvas')
  return access
}

export function canvasRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.get('/canvases/:canvasId', async (c) => {
    const access = await loadCanvasAccess(deps, c.get('user'), c.req.param('canvasId'))
    const doc = await readCanvasDoc(deps.registry, deps.documents, access.canvas.id, deps.log)
    try {
      return c.json({ ...canvasView(access.canvas, access.role), document: toCanvasJSON(doc) })
    } finally {
      doc.destroy()
    }
  })

  return app
}
