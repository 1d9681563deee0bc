import type { Binary, Db, Document, IndexSpecification } from 'mongodb'
import type { BlockJSON, CanvasChange, CanvasChangeType, LayoutJSON } from '../../shared/canvas/index.ts'
import type { TemplateBlock, VersionKind, VersionTrigger } from '../ports.ts'
import { CANVAS_COMMENTS, CANVAS_VERSIONS, CANVASES } from './collections.ts'

export { CANVAS_COMMENTS, CANVAS_VERSIONS, CANVASES }
export const CANVAS_TEMPLATES = 'canvas_templates'

/**
 * One version (data model 5.5.2: canvas_id, version, changes, author, timestamp, parent_version, branch), plus
 * what rebuilding it needs: the Yjs data (keyframe or delta) and the state vector. Bounded by the 16 MiB BSON
 * limit: a keyframe of a canvas whose encoded state is larger cannot be stored here.
 */
export interface VersionDocument {
  /** `<canvas_id>:<version>`: a second writer of the same number fails on _id as well as on the unique index. */
  _id: string
  canvas_id: string
  version: number
  parent_version: number
  branch: string
  kind: VersionKind
  keyframe_version: number
  /** Every contributor since the parent; `author` is the first of them (the data model's single author field). */
  authors: string[]
  author: string | null
  label: string | null
  trigger: VersionTrigger
  changes: CanvasChange[]
  counts: Record<CanvasChangeType, number>
  data: Binary
  data_bytes: number
  state_vector: Binary
  timestamp: Date
}

/** One entry of `canvases.metadata.version_history` (data model 5.3.2). */
export interface VersionHistoryEntry {
  version: number
  changes: Record<CanvasChangeType, number>
  label: string | null
  changed_by: string | null
  changed_at: Date
}

/**
 * The materialized fields of the data model's canvas document that the version store keeps (on the same document
 * the document store keeps the Yjs state on; neither touches the other's fields).
 */
export interface MaterializedCanvasFields {
  _id: string
  version?: number
  name?: string
  description?: string
  layout?: LayoutJSON
  blocks?: BlockJSON[]
  metadata?: {
    tags?: string[]
    updated_at?: Date
    version_history?: VersionHistoryEntry[]
  }
  interactions?: { comments_count?: number }
}

export interface TemplateDocument {
  _id: string
  organization_id: string | null
  name: string
  description: string | null
  category: string | null
  thumbnail_url: string | null
  is_public: boolean
  usage_count: number
  blocks: TemplateBlock[]
  required_fields: string[]
  created_by: string | null
  created_at: Date
}

export interface CommentDocument {
  _id: string
  canvas_id: string
  author_id: string
  block_id: string | null
  body: string
  resolved_at: Date | null
  resolved_by: string | null
  created_at: Date
  deleted_at: Date | null
}

interface IndexPlan {
  readonly collection: string
  readonly name: string
  readonly keys: IndexSpecification
  readonly unique: boolean
  readonly partialFilterExpression?: Document
}

/**
 * The first two repeat, identically, indexes of collections.ts (creating an identical index is a no-op), so the
 * history adapters' guarantees do not depend on which module ran first.
 */
const HISTORY_INDEXES: readonly IndexPlan[] = [
  {
    collection: CANVAS_VERSIONS,
    name: 'canvas_version_unique',
    keys: { canvas_id: 1, version: 1 },
    unique: true,
  },
  {
    collection: CANVAS_COMMENTS,
    name: 'canvas_recent',
    keys: { canvas_id: 1, created_at: -1 },
    unique: false,
  },
  {
    collection: CANVAS_VERSIONS,
    name: 'retention_scan',
    keys: { timestamp: 1, canvas_id: 1 },
    unique: false,
  },
  {
    collection: CANVAS_COMMENTS,
    name: 'deleted_retention',
    keys: { deleted_at: 1 },
    unique: false,
    partialFilterExpression: { deleted_at: { $type: 'date' } },
  },
  {
    collection: CANVAS_TEMPLATES,
    name: 'organization_recent',
    keys: { organization_id: 1, created_at: -1, _id: -1 },
    unique: false,
  },
  {
    collection: CANVAS_TEMPLATES,
    name: 'public_recent',
    keys: { is_public: 1, created_at: -1, _id: -1 },
    unique: false,
  },
]

/**
 * Creates the history collections' indexes; idempotent. Run at start-up, before any transaction (creating a
 * collection implicitly inside a transaction is not allowed everywhere). A conflicting index throws.
 */
export async function ensureHistoryIndexes(db: Db): Promise<void> {
  for (const plan of HISTORY_INDEXES) {
    await db.collection<Document>(plan.collection).createIndex(plan.keys, {
      name: plan.name,
      unique: plan.unique,
      ...(plan.partialFilterExpression === undefined
        ? {}
        : { partialFilterExpression: plan.partialFilterExpression }),
    })
  }
}

/** MongoDB duplicate key (E11000). */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 11000
}
