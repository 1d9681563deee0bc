import { Hono } from 'hono'
import * as Y from 'yjs'
import { z } from 'zod'
import { isUuid, roleAtLeast } from '../../persistence/sql/metadata-store.ts'
import { initCanvasDoc } from '../../shared/canvas/layout.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { forbidden, notFound } from './errors.ts'
import { readJson } from './validate.ts'
import { canvasView, projectView } from './views.ts'

const CreateProjectBody = z.object({
  name: z.string().trim().min(1).max(255),
  description: z.string().max(10_000).optional(),
})

const CreateCanvasBody = z.object({
  name: z.string().trim().min(1).max(255),
  description: z.string().max(10_000).optional(),
})

export function projectRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  /** The project of the caller's organization, or 404 (other organizations' ids look like unknown ids). */
  async function loadProject(organizationId: string, projectId: string) {
    const project = isUuid(projectId) ? await deps.metadata.getProject(organizationId, projectId) : undefined
    if (project === undefined) throw notFound('project')
    return project
  }

  app.post('/projects', async (c) => {
    const body = await readJson(c, CreateProjectBody)
    const principal = c.get('principal')
    const project = await deps.metadata.createProject({
      organizationId: principal.organizationId,
      ownerId: principal.userId,
      name: body.name,
      description: body.description ?? null,
    })
    return c.json(projectView(project), 201)
  })

  app.get('/projects/:projectId', async (c) => {
    const project = await loadProject(c.get('principal').organizationId, c.req.param('projectId'))
    const role = await deps.metadata.projectRole(c.get('user'), project)
    if (role === null) throw notFound('project')
    return c.json({ ...projectView(project), role })
  })

  app.post('/projects/:projectId/canvases', async (c) => {
    const principal = c.get('principal')
    const project = await loadProject(principal.organizationId, c.req.param('projectId'))
    const role = await deps.metadata.projectRole(c.get('user'), project)
    if (role === null) throw notFound('project')
    if (!roleAtLeast(role, 'editor')) throw forbidden('editors create canvases')
    const body = await readJson(c, CreateCanvasBody)
    const canvas = await deps.metadata.createCanvas({
      projectId: project.id,
      ownerId: principal.userId,
      name: body.name,
      description: body.description ?? null,
    })
    // The document starts with its meta and layout roots, journaled like any other update.
    const doc = new Y.Doc()
    initCanvasDoc(doc, { name: body.name, description: body.description ?? '' })
    await deps.documents.appendJournal([
      { canvasId: canvas.id, update: Y.encodeStateAsUpdate(doc), authorId: principal.userId },
    ])
    doc.destroy()
    return c.json(canvasView(canvas, 'admin'), 201)
  })

  return app
}
