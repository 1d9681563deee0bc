import {
  assertValidPosition,
  type BlockPosition,
  CanvasModelError,
  isBlockType,
  isJsonValue,
  type JsonObject,
} from '../../shared/canvas/index.ts'
import type { Template, TemplateBlock } from '../ports.ts'
import { parseStringArray, toNonNegativeInteger } from './validate.ts'

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Stored template blocks (written by us from validated input): checked again on the way out. */
export function parseTemplateBlocks(value: unknown): TemplateBlock[] {
  if (!Array.isArray(value)) throw new TypeError('stored template blocks are not an array')
  return value.map((item, index) => {
    if (
      !isRecord(item) ||
      typeof item.id !== 'string' ||
      !isBlockType(item.type) ||
      !isRecord(item.position)
    ) {
      throw new TypeError(`stored template block ${index} is malformed`)
    }
    const position = item.position as unknown as BlockPosition
    try {
      assertValidPosition(position)
    } catch (error) {
      if (error instanceof CanvasModelError) {
        throw new TypeError(`stored template block ${index}: ${error.message}`, { cause: error })
      }
      throw error
    }
    if (!isRecord(item.content) || !isJsonValue(item.content)) {
      throw new TypeError(`stored template block ${index} has non-JSON content`)
    }
    const { x, y, w, h } = position
    return { id: item.id, type: item.type, position: { x, y, w, h }, content: item.content as JsonObject }
  })
}

/** A stored template's columns, as both adapters keep them (SQL row, or Mongo document with `_id` as `id`). */
export interface TemplateColumns {
  readonly id: string
  readonly organization_id: string | null
  readonly name: string
  readonly description: string | null
  readonly category: string | null
  readonly thumbnail_url: string | null
  readonly is_public: boolean
  readonly usage_count: unknown
  readonly blocks: unknown
  readonly required_fields: unknown
  readonly created_by: string | null
  readonly created_at: Date
}

/** Stored columns -> Template, validating what comes back from storage. */
export function templateFromColumns(row: TemplateColumns): Template {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    description: row.description,
    category: row.category,
    thumbnailUrl: row.thumbnail_url,
    isPublic: row.is_public,
    usageCount: toNonNegativeInteger(row.usage_count, 'usage_count'),
    blocks: parseTemplateBlocks(row.blocks),
    requiredFields: parseStringArray(row.required_fields, 'required_fields'),
    createdBy: row.created_by,
    createdAt: row.created_at,
  }
}
