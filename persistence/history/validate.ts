import {
  CANVAS_CHANGE_TYPES,
  type CanvasJSON,
  type ChangeSummary,
  MAX_BLOCK_ID_LENGTH,
} from '../../shared/canvas/index.ts'
import type {
  NewComment,
  NewTemplate,
  NewVersion,
  PageCursor,
  VersionKind,
  VersionTrigger,
} from '../ports.ts'

/**
 * Argument checks and stored-value parsers shared by the SQL and MongoDB adapters of the history ports, so both
 * refuse the same inputs the same way (before any I/O) and read back the same shapes.
 */

/** Canonical lower-case UUID, the form PostgreSQL prints: ids stay comparable across adapters. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export const VERSION_TRIGGERS: readonly VersionTrigger[] = [
  'quiet',
  'interval',
  'unload',
  'manual',
  'restore',
  'pre-restore',
]
export const VERSION_KINDS: readonly VersionKind[] = ['keyframe', 'delta']

/** Longest label, name, category accepted (the SQL columns' sizes). */
export const MAX_LABEL_LENGTH = 255
export const MAX_BRANCH_LENGTH = 50
export const MAX_CATEGORY_LENGTH = 100
/** Largest page any list call returns. */
export const MAX_PAGE_LIMIT = 500

export function assertUuid(value: string, what: string): void {
  if (typeof value !== 'string' || !CANONICAL_UUID.test(value)) {
    throw new TypeError(`${what} must be a lower-case UUID, got ${JSON.stringify(value)}`)
  }
}

export function isCanonicalUuid(value: string): boolean {
  return CANONICAL_UUID.test(value)
}

export function assertPositiveVersion(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 1 || value > 2 ** 31 - 1) {
    throw new RangeError(`${what} must be an integer in [1, 2^31 - 1], got ${String(value)}`)
  }
}

export function assertLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new RangeError(`limit must be an integer in [1, ${MAX_PAGE_LIMIT}], got ${String(limit)}`)
  }
}

export function assertDate(value: Date, what: string): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw new TypeError(`${what} must be a valid Date`)
}

export function assertCursor(cursor: PageCursor | null): void {
  if (cursor === null) return
  assertDate(cursor.createdAt, 'cursor.createdAt')
  assertUuid(cursor.id, 'cursor.id')
}

function assertText(value: string | null, max: number, what: string, nullable: boolean): void {
  if (value === null && nullable) return
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new RangeError(`${what} must be a non-empty string of at most ${max} characters`)
  }
}

/** Checks the numbering invariants the SQL table also enforces: linear history, keyframes rebuild themselves. */
export function assertNewVersion(version: NewVersion): void {
  assertUuid(version.canvasId, 'canvas id')
  assertPositiveVersion(version.version, 'version')
  if (version.parentVersion !== version.version - 1) {
    throw new RangeError(`version ${version.version} must have parent ${version.version - 1}`)
  }
  if (!VERSION_KINDS.includes(version.kind)) throw new RangeError(`unknown version kind ${version.kind}`)
  if (!VERSION_TRIGGERS.includes(version.trigger)) throw new RangeError(`unknown trigger ${version.trigger}`)
  assertPositiveVersion(version.keyframeVersion, 'keyframeVersion')
  if (version.keyframeVersion > version.version) throw new RangeError('keyframeVersion is after the version')
  if ((version.kind === 'keyframe') !== (version.keyframeVersion === version.version)) {
    throw new RangeError('a keyframe is its own keyframeVersion, a delta never is')
  }
  assertText(version.branch, MAX_BRANCH_LENGTH, 'branch', false)
  assertText(version.label, MAX_LABEL_LENGTH, 'label', true)
  if (new Set(version.authors).size !== version.authors.length)
    throw new RangeError('authors must be distinct')
  for (const author of version.authors) assertUuid(author, 'author id')
  if (!(version.data instanceof Uint8Array)) throw new TypeError('version data must be a Uint8Array')
  if (!(version.stateVector instanceof Uint8Array)) throw new TypeError('state vector must be a Uint8Array')
  assertDate(version.createdAt, 'createdAt')
  parseSummary(version.summary)
  parseCanvasJSON(version.canvas)
}

export function assertNewTemplate(template: NewTemplate): void {
  if (template.organizationId === null) {
    if (!template.isPublic) throw new RangeError('a template without an organization must be public')
  } else {
    assertUuid(template.organizationId, 'organization id')
  }
  if (template.createdBy !== null) assertUuid(template.createdBy, 'created_by')
  assertText(template.name, MAX_LABEL_LENGTH, 'template name', false)
  assertText(template.category, MAX_CATEGORY_LENGTH, 'category', true)
  if (typeof template.isPublic !== 'boolean') throw new TypeError('isPublic must be a boolean')
  if (!Array.isArray(template.blocks)) throw new TypeError('template blocks must be an array')
  const ids = new Set(template.blocks.map((block) => block.id))
  if (ids.size !== template.blocks.length) throw new RangeError('template block ids must be distinct')
  if (!template.requiredFields.every((field) => typeof field === 'string')) {
    throw new TypeError('required fields must be strings')
  }
}

export function assertNewComment(comment: NewComment): void {
  assertUuid(comment.canvasId, 'canvas id')
  assertUuid(comment.authorId, 'author id')
  if (typeof comment.body !== 'string' || comment.body.length === 0) {
    throw new RangeError('comment body must be a non-empty string')
  }
  assertText(comment.blockId, MAX_BLOCK_ID_LENGTH, 'block id', true)
}

// --- stored values -------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A stored summary; every count is present (older rows missing a type read it as 0). */
export function parseSummary(value: unknown): ChangeSummary {
  if (!isRecord(value) || !Array.isArray(value.changes) || !isRecord(value.counts)) {
    throw new TypeError('stored change summary is malformed')
  }
  const counts = value.counts
  const parsed = Object.fromEntries(
    CANVAS_CHANGE_TYPES.map((type) => [type, typeof counts[type] === 'number' ? counts[type] : 0]),
  ) as ChangeSummary['counts']
  return { changes: value.changes as ChangeSummary['changes'], counts: parsed }
}

/** A stored canvas JSON (written by us from toCanvasJSON): checks the outer shape only. */
export function parseCanvasJSON(value: unknown): CanvasJSON {
  if (
    !isRecord(value) ||
    typeof value.name !== 'string' ||
    typeof value.description !== 'string' ||
    !Array.isArray(value.tags) ||
    !isRecord(value.layout) ||
    !Array.isArray(value.blocks)
  ) {
    throw new TypeError('stored canvas JSON is malformed')
  }
  return value as unknown as CanvasJSON
}

export function parseTrigger(value: unknown): VersionTrigger {
  const trigger = VERSION_TRIGGERS.find((known) => known === value)
  if (trigger === undefined) throw new TypeError(`stored trigger ${String(value)} is unknown`)
  return trigger
}

export function parseKind(value: unknown): VersionKind {
  const kind = VERSION_KINDS.find((known) => known === value)
  if (kind === undefined) throw new TypeError(`stored version kind ${String(value)} is unknown`)
  return kind
}

export function parseStringArray(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new TypeError(`stored ${what} is not an array of strings`)
  }
  return value
}

/** Integers read back from a database (numbers, numeric strings, BSON int64 promoted to number). */
export function toNonNegativeInteger(value: unknown, what: string): number {
  const number = Number(value)
  if (!Number.isSafeInteger(number) || number < 0) throw new Error(`invalid stored ${what}: ${String(value)}`)
  return number
}
