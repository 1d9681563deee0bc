import type { Context } from 'hono'
import { Hono } from 'hono'
import { z } from 'zod'
import type { CanvasComment } from '../../persistence/ports.ts'
import { type CanvasAccess, roleAtLeast } from '../../persistence/sql/metadata-store.ts'
import { MAX_BLOCK_ID_LENGTH } from '../../shared/canvas/index.ts'
import type { CommentListResponse } from '../../shared/history-api.ts'
import { readCanvasJSON } from '../rooms/registry.ts'
import { auditRequest, callerOf } from './audit-context.ts'
import { requireCanvasRole } from './canvas-access.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { badRequest, forbidden, notFound } from './errors.ts'
import type { HistoryDeps } from './history-deps.ts'
import { commentView, decodeCursor, encodeCursor } from './history-views.ts'
import { idParam, readQuery } from './params.ts'
import { readJson } from './validate.ts'

const MAX_COMMENT_LENGTH = 10_000
const MAX_COMMENTS_PER_PAGE = 200
const DEFAULT_COMMENTS_PER_PAGE = 50

const CreateBody = z.object({
  body: z.string().trim().min(1).max(MAX_COMMENT_LENGTH),
  block_id: z.string().min(1).max(MAX_BLOCK_ID_LENGTH).optional(),
})

const ListQuery = z.object({
  block_id: z.string().min(1).max(MAX_BLOCK_ID_LENGTH).optional(),
  include_resolved: z.enum(['true', 'false']).default('true'),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_COMMENTS_PER_PAGE).default(DEFAULT_COMMENTS_PER_PAGE),
})

/**
 * Who may post: anyone with access to the canvas from its own organization, and editors (grants) from anywhere.
 * Viewers who reach a public canvas from another organization read the discussion but do not take part.
 */
function mayComment(access: CanvasAccess, organizationId: string | null): boolean {
  return access.organizationId === organizationId || roleAtLeast(access.role, 'editor')
}

/**
 * Comments on a canvas, optionally anchored to a block. Viewers read; the comment's author or an editor resolves;
 * the author or a canvas admin deletes (soft; retention purges later).
 */
export function commentRoutes(deps: HttpDeps, history: HistoryDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  async function loadComment(c: Context<AppEnv>, canvasId: string): Promise<CanvasComment> {
    const comment = await history.comments.get(canvasId, idParam(c, 'commentId', 'comment'))
    if (comment === null) throw notFound('comment')
    return comment
  }

  app.get('/canvases/:canvasId/comments', async (c) => {
    const access = await requireCanvasRole(deps, c, 'viewer')
    const query = readQuery(c, ListQuery)
    const page = await history.comments.list(access.canvas.id, {
      blockId: query.block_id ?? null,
      includeResolved: query.include_resolved === 'true',
      after: decodeCursor(query.cursor, 'cursor'),
      limit: query.limit,
    })
    const response: CommentListResponse = {
      comments: page.comments.map(commentView),
      next_cursor: encodeCursor(page.next),
    }
    return c.json(response)
  })

  app.post('/canvases/:canvasId/comments', async (c) => {
    const access = await requireCanvasRole(deps, c, 'viewer')
    const principal = c.get('principal')
    if (!mayComment(access, c.get('user').organization_id)) {
      throw forbidden('only people of the canvas organization, or its editors, comment')
    }
    const body = await readJson(c, CreateBody)
    if (body.block_id !== undefined) {
      const canvas = await readCanvasJSON(deps.registry, deps.documents, access.canvas.id, deps.log)
      if (!canvas.blocks.some((block) => block.id === body.block_id)) {
        throw badRequest('block_id: no such block', 'block_id')
      }
    }
    const comment = await history.comments.create({
      canvasId: access.canvas.id,
      authorId: principal.userId,
      body: body.body,
      blockId: body.block_id ?? null,
    })
    return c.json(commentView(comment), 201)
  })

  app.post('/canvases/:canvasId/comments/:commentId/resolve', async (c) => {
    const access = await requireCanvasRole(deps, c, 'viewer')
    const comment = await loadComment(c, access.canvas.id)
    const userId = c.get('principal').userId
    if (comment.authorId !== userId && !roleAtLeast(access.role, 'editor')) {
      throw forbidden('the author or an editor resolves a comment')
    }
    const resolved = await history.comments.resolve(access.canvas.id, comment.id, userId)
    if (resolved === null) throw notFound('comment')
    return c.json(commentView(resolved))
  })

  app.delete('/canvases/:canvasId/comments/:commentId', async (c) => {
    const access = await requireCanvasRole(deps, c, 'viewer')
    const comment = await loadComment(c, access.canvas.id)
    const userId = c.get('principal').userId
    const isAuthor = comment.authorId === userId
    if (!isAuthor && !roleAtLeast(access.role, 'admin')) {
      throw forbidden('the author or a canvas admin deletes a comment')
    }
    if (!(await history.comments.delete(access.canvas.id, comment.id))) throw notFound('comment')
    auditRequest(deps, c, callerOf(c), {
      action: 'comment.delete',
      resourceType: 'canvas',
      resourceId: access.canvas.id,
      changes: { comment_id: comment.id, author_id: comment.authorId, by_author: isAuthor },
    })
    return c.body(null, 204)
  })

  return app
}
