import * as Y from 'yjs'
import { CanvasModelError } from './errors.ts'

/** Names of the shared root types of a canvas Y.Doc. Clients must use exactly these. */
export const CANVAS_ROOTS = { meta: 'meta', layout: 'layout', blocks: 'blocks' } as const

/** Keys of the `meta` root map. `tags` holds a Y.Array<string>. */
export const META_KEYS = { name: 'name', description: 'description', tags: 'tags' } as const

/** Keys of the `layout` root map. */
export const LAYOUT_KEYS = {
  type: 'type',
  columns: 'columns',
  rowHeight: 'rowHeight',
  breakpoints: 'breakpoints',
} as const

export const LAYOUT_TYPE = 'grid'
export const GRID_COLUMNS = 12
export const DEFAULT_ROW_HEIGHT = 50
export const DEFAULT_BREAKPOINTS: Readonly<Record<string, number>> = Object.freeze({
  lg: 1200,
  md: 996,
  sm: 768,
  xs: 480,
})

/** Longest canvas name accepted by the helpers (the `canvases.name` column is varchar(255)). */
export const MAX_CANVAS_NAME_LENGTH = 255

export const BLOCK_TYPES = ['chart', 'narrative', 'table'] as const
export type BlockType = (typeof BLOCK_TYPES)[number]

/** Grid cell rectangle of a block: 12 columns, x in [0, 11], w in [1, 12], x + w <= 12, y >= 0, h >= 1. */
export interface BlockPosition {
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
}

export function isBlockType(value: unknown): value is BlockType {
  return typeof value === 'string' && (BLOCK_TYPES as readonly string[]).includes(value)
}

/** Throws a CanvasModelError unless `position` is a whole-cell rectangle inside the 12-column grid. */
export function assertValidPosition(position: BlockPosition): void {
  if (typeof position !== 'object' || position === null)
    throw new CanvasModelError('position must be an object')
  const { x, y, w, h } = position
  for (const [field, value] of [
    ['x', x],
    ['y', y],
    ['w', w],
    ['h', h],
  ] as const) {
    if (!Number.isSafeInteger(value)) {
      throw new CanvasModelError(`position.${field} must be an integer, got ${String(value)}`)
    }
  }
  if (x < 0 || x > GRID_COLUMNS - 1) {
    throw new CanvasModelError(`position.x must be in [0, ${GRID_COLUMNS - 1}], got ${x}`)
  }
  if (w < 1 || w > GRID_COLUMNS)
    throw new CanvasModelError(`position.w must be in [1, ${GRID_COLUMNS}], got ${w}`)
  if (x + w > GRID_COLUMNS) {
    throw new CanvasModelError(`position.x + position.w must be <= ${GRID_COLUMNS}, got ${x} + ${w}`)
  }
  if (y < 0) throw new CanvasModelError(`position.y must be >= 0, got ${y}`)
  if (h < 1) throw new CanvasModelError(`position.h must be >= 1, got ${h}`)
}

export function getMetaMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(CANVAS_ROOTS.meta)
}

export function getLayoutMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(CANVAS_ROOTS.layout)
}

/** Block id -> block Y.Map. Values written by other clients are untrusted: check with `instanceof Y.Map`. */
export function getBlocksMap(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(CANVAS_ROOTS.blocks)
}

/** Options of every helper that writes: the origin is passed to `doc.transact` (e.g. to tell edits apart). */
export interface TransactionOptions {
  readonly origin?: unknown
}

export interface CanvasInit {
  readonly name: string
  readonly description?: string
  readonly tags?: readonly string[]
}

export function assertValidName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length > MAX_CANVAS_NAME_LENGTH) {
    throw new CanvasModelError(`canvas name must be a string of at most ${MAX_CANVAS_NAME_LENGTH} characters`)
  }
}

export function assertValidTags(tags: unknown): asserts tags is readonly string[] {
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) {
    throw new CanvasModelError('canvas tags must be an array of strings')
  }
}

/**
 * Fills the meta and layout defaults of a canvas in one transaction. Idempotent: a key that is already present
 * (whatever its value) is left alone, so calling it on a loaded canvas changes nothing.
 * Race: two replicas initialising the same empty canvas concurrently each write every key; Yjs keeps one writer's
 * value per key (for `tags`, one whole Y.Array), so the replicas still converge.
 */
export function initCanvasDoc(doc: Y.Doc, init: CanvasInit, options: TransactionOptions = {}): void {
  assertValidName(init.name)
  if (init.description !== undefined && typeof init.description !== 'string') {
    throw new CanvasModelError('canvas description must be a string')
  }
  const tags = init.tags ?? []
  assertValidTags(tags)
  doc.transact(() => {
    const meta = getMetaMap(doc)
    setIfAbsent(meta, META_KEYS.name, init.name)
    setIfAbsent(meta, META_KEYS.description, init.description ?? '')
    if (!meta.has(META_KEYS.tags)) meta.set(META_KEYS.tags, Y.Array.from([...tags]))

    const layout = getLayoutMap(doc)
    setIfAbsent(layout, LAYOUT_KEYS.type, LAYOUT_TYPE)
    setIfAbsent(layout, LAYOUT_KEYS.columns, GRID_COLUMNS)
    setIfAbsent(layout, LAYOUT_KEYS.rowHeight, DEFAULT_ROW_HEIGHT)
    setIfAbsent(layout, LAYOUT_KEYS.breakpoints, { ...DEFAULT_BREAKPOINTS })
  }, options.origin)
}

function setIfAbsent(map: Y.Map<unknown>, key: string, value: unknown): void {
  if (!map.has(key)) map.set(key, value)
}

/** Keys of a block Y.Map. `position`, `content` and `metadata` hold nested Y.Maps. */
export const BLOCK_KEYS = {
  id: 'id',
  type: 'type',
  position: 'position',
  content: 'content',
  metadata: 'metadata',
} as const

/** Content keys with a special meaning. On a narrative, `text` holds a Y.Text; everything else is plain JSON. */
export const CONTENT_KEYS = { text: 'text' } as const

/** Keys of a block's metadata Y.Map; timestamps are ISO 8601 strings. */
export const METADATA_KEYS = {
  createdBy: 'created_by',
  createdAt: 'created_at',
  lastModifiedBy: 'last_modified_by',
  lastModifiedAt: 'last_modified_at',
} as const
