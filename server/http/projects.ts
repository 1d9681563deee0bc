import { Hono } from 'hono'
import * as Y from 'yjs'
import { z } from 'zod'
import { CanvasStore } from '../../persistence/sql/canvas-store.ts'
import { ProjectStore } from '../../persistence/sql/project-store.ts'
import { initCanvasDoc } from '../../shared/canvas/layout.ts'
import { addTemplateBlocks } from '../templates/blocks.ts'
import { auditRequest, callerOf } from './audit-context.ts'
import { changedFields } from './changes.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { badRequest, conflict, notFound } from './errors.ts'
import { readQuery } from './params.ts'
import { requireProjectRole } from './project-access.ts'
import { readJson } from './validate.ts'
import { canvasView, projectView, projectWithRoleView } from './views.ts'

const CreateProjectBody = z.object({
  name: z.string().trim().min(1).max(255),
  description: z.string().max(10_000).optional(),
})

const UpdateProjectBody = z.object({
  name: z.string().trim().min(1).max(255).optional(),
  description: z.string().max(10_000).nullable().optional(),
  /** Archiving makes the project's canvases unreachable (open sockets close with 4403); unarchiving restores. */
  is_archived: z.boolean().optional(),
})

const ListProjectsQuery = z.object({
  include_archived: z.enum(['true', 'false']).default('false'),
})

const CreateCanvasBody = z.object({
  name: z.string().trim().min(1).max(255),
  description: z.string().max(10_000).optional(),
  /** Start from a template's blocks (one of the caller's organization, or a public one). */
  template_id: z.guid().optional(),
})

export function projectRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const projects = new ProjectStore(deps.metadata.db)
  const canvases = new CanvasStore(deps.metadata.db)

  /** Any user of the organization may create a project; they become its owner and admin. */
  app.post('/projects', async (c) => {
    const body = await readJson(c, CreateProjectBody)
    const principal = c.get('principal')
    const project = await deps.metadata.createProject({
      organizationId: principal.organizationId,
      ownerId: principal.userId,
      name: body.name,
      description: body.description ?? null,
    })
    auditRequest(deps, c, callerOf(c), {
      action: 'project.create',
      resourceType: 'project',
      resourceId: project.id,
      changes: { name: project.name },
    })
    return c.json(projectView(project), 201)
  })

  /** The caller's projects: every project of the organization for its admins, else those they are a member of. */
  app.get('/projects', async (c) => {
    const query = readQuery(c, ListProjectsQuery)
    const visible = await projects.listVisible(c.get('user'), {
      includeArchived: query.include_archived === 'true',
    })
    return c.json({ projects: visible.map(({ project, role }) => projectWithRoleView(project, role)) })
  })

  app.get('/projects/:projectId', async (c) => {
    const { project, role } = await requireProjectRole(deps, c, 'viewer')
    return c.json(projectWithRoleView(project, role))
  })

  app.patch('/projects/:projectId', async (c) => {
    const { project } = await requireProjectRole(deps, c, 'admin')
    const body = await readJson(c, UpdateProjectBody)
    if (Object.keys(body).length === 0) throw badRequest('body: nothing to change', 'body')
    const updated = await projects.update(project.id, body)
    if (updated === undefined) throw notFound('project')
    if (updated.is_archived !== project.is_archived) {
      // Archiving hides every canvas of the project: their open sockets re-check (and close) on every instance.
      for (const canvasId of await deps.metadata.canvasIdsOfProject(project.id)) {
        await deps.accessEvents.canvasChanged(canvasId)
      }
    }
    auditRequest(deps, c, callerOf(c), {
      action: updated.is_archived !== project.is_archived ? 'project.archive' : 'project.update',
      resourceType: 'project',
      resourceId: project.id,
      changes: changedFields(project, updated, ['name', 'description', 'is_archived']),
    })
    return c.json(projectView(updated))
  })

  /** The project's canvases with the caller's role on each (none while the project is archived). */
  app.get('/projects/:projectId/canvases', async (c) => {
    const { project, role } = await requireProjectRole(deps, c, 'viewer')
    const list = project.is_archived ? [] : await canvases.listForProject(c.get('user'), project.id, role)
    return c.json({ canvases: list.map((entry) => canvasView(entry.canvas, entry.role)) })
  })

  app.post('/projects/:projectId/canvases', async (c) => {
    const { project } = await requireProjectRole(deps, c, 'editor')
    if (project.is_archived) throw conflict('the project is archived')
    const body = await readJson(c, CreateCanvasBody)
    const principal = c.get('principal')
    const template =
      body.template_id === undefined
        ? null
        : await deps.history.templates.get(principal.organizationId, body.template_id)
    if (body.template_id !== undefined && template === null) {
      throw badRequest('template_id: no such template', 'template_id')
    }
    // The document starts with its meta and layout roots (and the template's blocks), journaled like any update.
    // Built before the canvas row, so a template that cannot be applied leaves no canvas without a document.
    const doc = new Y.Doc()
    initCanvasDoc(doc, { name: body.name, description: body.description ?? '' })
    if (template !== null) addTemplateBlocks(doc, template.blocks, principal.userId)
    const canvas = await deps.metadata.createCanvas({
      projectId: project.id,
      ownerId: principal.userId,
      name: body.name,
      description: body.description ?? null,
    })
    await deps.documents.appendJournal([
      { canvasId: canvas.id, update: Y.encodeStateAsUpdate(doc), authorId: principal.userId },
    ])
    doc.destroy()
    if (template !== null) await deps.history.templates.recordUse(template.id)
    auditRequest(deps, c, callerOf(c), {
      action: 'canvas.create',
      resourceType: 'canvas',
      resourceId: canvas.id,
      changes: { name: canvas.name, project_id: project.id, template_id: template?.id ?? null },
    })
    // The creator holds an admin grant on what they created (MetadataStore.createCanvas).
    return c.json(canvasView(canvas, 'admin'), 201)
  })

  return app
}
