import { type Context, Hono } from 'hono'
import { z } from 'zod'
import type { TemplateBlock } from '../../persistence/ports.ts'
import { BLOCK_TYPES, CanvasModelError, isJsonValue } from '../../shared/canvas/index.ts'
import type { TemplateListResponse } from '../../shared/history-api.ts'
import { readCanvasJSON } from '../rooms/registry.ts'
import { assertValidTemplateBlocks, MAX_TEMPLATE_BLOCKS, templateBlocksOf } from '../templates/blocks.ts'
import { auditRequest, callerOf } from './audit-context.ts'
import { requireCanvasRole } from './canvas-access.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { badRequest, forbidden, notFound } from './errors.ts'
import type { HistoryDeps } from './history-deps.ts'
import { decodeCursor, encodeCursor, templateView } from './history-views.ts'
import { idParam, readQuery } from './params.ts'
import { readJson } from './validate.ts'

const MAX_TEMPLATES_PER_PAGE = 100
const DEFAULT_TEMPLATES_PER_PAGE = 50
const MAX_REQUIRED_FIELDS = 100

const Position = z.object({
  x: z.number().int(),
  y: z.number().int(),
  w: z.number().int(),
  h: z.number().int(),
})

const Block = z.object({
  id: z.string().min(1).max(128),
  type: z.enum(BLOCK_TYPES),
  position: Position,
  content: z
    .record(z.string(), z.unknown())
    .default({})
    .refine((content) => isJsonValue(content), { message: 'must be plain JSON' }),
})

const TemplateFields = {
  name: z.string().trim().min(1).max(255),
  description: z.string().max(10_000).optional(),
  category: z.string().trim().min(1).max(100).optional(),
  thumbnail_url: z.url().max(2048).optional(),
  required_fields: z.array(z.string().min(1).max(255)).max(MAX_REQUIRED_FIELDS).default([]),
  /** Visible to every organization; only organization admins may publish. */
  is_public: z.boolean().default(false),
}

const CreateTemplateBody = z.object({ ...TemplateFields, blocks: z.array(Block).max(MAX_TEMPLATE_BLOCKS) })
const FromCanvasBody = z.object(TemplateFields)

const ListQuery = z.object({
  category: z.string().trim().min(1).max(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_TEMPLATES_PER_PAGE).default(DEFAULT_TEMPLATES_PER_PAGE),
})

/**
 * Canvas templates: any signed-in user creates templates for their organization and sees their organization's
 * and the public ones; publishing (is_public) is for organization admins.
 */
export function templateRoutes(deps: HttpDeps, history: HistoryDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  function assertMayPublish(isPublic: boolean, role: string): void {
    if (isPublic && role !== 'admin') throw forbidden('only organization admins publish public templates')
  }

  /** Stores a template of the caller's organization and audits it; `changes` adds route-specific audit details. */
  async function createTemplate(
    c: Context<AppEnv>,
    body: z.infer<typeof FromCanvasBody>,
    blocks: TemplateBlock[],
    changes: Record<string, unknown>,
  ) {
    const principal = c.get('principal')
    const template = await history.templates.create({
      organizationId: principal.organizationId,
      name: body.name,
      description: body.description ?? null,
      category: body.category ?? null,
      thumbnailUrl: body.thumbnail_url ?? null,
      isPublic: body.is_public,
      blocks,
      requiredFields: body.required_fields,
      createdBy: principal.userId,
    })
    auditRequest(deps, c, callerOf(c), {
      action: 'template.create',
      resourceType: 'template',
      resourceId: template.id,
      changes: { name: template.name, is_public: template.isPublic, ...changes },
    })
    return template
  }

  app.post('/templates', async (c) => {
    const body = await readJson(c, CreateTemplateBody)
    const user = c.get('user')
    const principal = c.get('principal')
    assertMayPublish(body.is_public, user.role)
    const blocks = body.blocks as TemplateBlock[]
    try {
      assertValidTemplateBlocks(blocks, principal.userId)
    } catch (error) {
      if (error instanceof CanvasModelError) throw badRequest(`blocks: ${error.message}`, 'blocks')
      throw error
    }
    const template = await createTemplate(c, body, blocks, { blocks: blocks.length })
    return c.json(templateView(template), 201)
  })

  app.get('/templates', async (c) => {
    const query = readQuery(c, ListQuery)
    const page = await history.templates.list(c.get('principal').organizationId, {
      category: query.category ?? null,
      after: decodeCursor(query.cursor, 'cursor'),
      limit: query.limit,
    })
    const response: TemplateListResponse = {
      templates: page.templates.map(templateView),
      next_cursor: encodeCursor(page.next),
    }
    return c.json(response)
  })

  app.get('/templates/:templateId', async (c) => {
    const templateId = idParam(c, 'templateId', 'template')
    const template = await history.templates.get(c.get('principal').organizationId, templateId)
    if (template === null) throw notFound('template')
    return c.json(templateView(template))
  })

  /** A template of the caller's organization from a canvas's current blocks (editors of the canvas). */
  app.post('/canvases/:canvasId/template', async (c) => {
    const access = await requireCanvasRole(deps, c, 'editor')
    const body = await readJson(c, FromCanvasBody)
    const user = c.get('user')
    assertMayPublish(body.is_public, user.role)
    const blocks = templateBlocksOf(
      await readCanvasJSON(deps.registry, deps.documents, access.canvas.id, deps.log),
    )
    if (blocks.length > MAX_TEMPLATE_BLOCKS) {
      throw badRequest(`a template holds at most ${MAX_TEMPLATE_BLOCKS} blocks`, 'canvas')
    }
    const template = await createTemplate(c, body, blocks, { from_canvas: access.canvas.id })
    return c.json(templateView(template), 201)
  })

  return app
}
