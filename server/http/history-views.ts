import type { CanvasComment, PageCursor, Template, VersionInfo } from '../../persistence/ports.ts'
import type { CommentView, TemplateView, VersionListItem } from '../../shared/history-api.ts'
import { badRequest } from './errors.ts'

/** Stored history rows -> API views. */

export function versionItem(info: VersionInfo): VersionListItem {
  return {
    version: info.version,
    parent_version: info.parentVersion,
    branch: info.branch,
    label: info.label,
    trigger: info.trigger,
    kind: info.kind,
    authors: info.authors,
    created_at: info.createdAt.toISOString(),
    counts: info.summary.counts,
    data_bytes: info.dataBytes,
  }
}

export function templateView(template: Template): TemplateView {
  return {
    id: template.id,
    organization_id: template.organizationId,
    name: template.name,
    description: template.description,
    category: template.category,
    thumbnail_url: template.thumbnailUrl,
    is_public: template.isPublic,
    usage_count: template.usageCount,
    blocks: template.blocks,
    required_fields: template.requiredFields,
    created_by: template.createdBy,
    created_at: template.createdAt.toISOString(),
  }
}

export function commentView(comment: CanvasComment): CommentView {
  return {
    id: comment.id,
    canvas_id: comment.canvasId,
    author_id: comment.authorId,
    block_id: comment.blockId,
    body: comment.body,
    resolved_at: comment.resolvedAt?.toISOString() ?? null,
    resolved_by: comment.resolvedBy,
    created_at: comment.createdAt.toISOString(),
  }
}

const CURSOR_SEPARATOR = '|'
const CURSOR_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A page cursor as an opaque string (base64url of "<ISO time>|<id>"). */
export function encodeCursor(cursor: PageCursor | null): string | null {
  if (cursor === null) return null
  return Buffer.from(`${cursor.createdAt.toISOString()}${CURSOR_SEPARATOR}${cursor.id}`).toString('base64url')
}

/** Parses a cursor from a query string; a 400 naming `field` when it is not one we issued. */
export function decodeCursor(raw: string | undefined, field: string): PageCursor | null {
  if (raw === undefined) return null
  const [time, id, ...rest] = Buffer.from(raw, 'base64url').toString('utf8').split(CURSOR_SEPARATOR)
  const createdAt = new Date(time ?? '')
  if (rest.length > 0 || id === undefined || !CURSOR_UUID.test(id) || Number.isNaN(createdAt.getTime())) {
    throw badRequest(`${field}: not a valid cursor`, field)
  }
  return { createdAt, id }
}
