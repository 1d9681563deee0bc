import {
  assertValidPosition,
  type BlockPosition,
  CanvasModelError,
  isBlockType,
  isJsonValue,
  type JsonObject,
} from '../../shared/canvas/index.ts'
import type { TemplateBlock } from '../ports.ts'

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
