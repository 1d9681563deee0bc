import type { Binary, Db, Document, IndexSpecification } from 'mongodb'

/** Collection names of the MongoDB data model. */
export const CANVASES = 'canvases'
export const CANVAS_JOURNAL = 'canvas_journal'
export const CANVAS_COMMENTS = 'canvas_comments'
export const CANVAS_VERSIONS = 'canvas_versions'

/**
 * One canvas. The document store owns the Yjs fields below; other modules will keep the canvas's metadata
 * (project_id, ...) and its materialized JSON beside them, so every document-store field is optional on read: a
 * canvas created by another module has none of them until its first append (treat missing seqs as 0).
 */
export interface CanvasDocument {
  _id: string
  project_id?: string
  /** Compacted Yjs state (an update); null/absent until the first compaction. Bounded by the 16 MiB BSON limit. */
  ydoc_state?: Binary | null
  /** Every journal seq <= state_seq is folded into ydoc_state. */
  state_seq?: number
  /** Last seq handed out: incremented in the appending transaction, so appends of a canvas commit in order. */
  last_seq?: number
  updated_at?: Date
}

/** One write-ahead journal entry (seqs per canvas, unique, contiguous above the canvas's state_seq). */
export interface JournalDocument {
  canvas_id: string
  seq: number
  update: Binary
  author_id: string | null
  created_at: Date
}

interface IndexPlan {
  readonly collection: string
  readonly name: string
  readonly keys: IndexSpecification
  readonly unique: boolean
}

const INDEXES: readonly IndexPlan[] = [
  { collection: CANVAS_JOURNAL, name: 'canvas_seq_unique', keys: { canvas_id: 1, seq: 1 }, unique: true },
  { collection: CANVASES, name: 'project_recent', keys: { project_id: 1, updated_at: -1 }, unique: false },
  {
    collection: CANVAS_COMMENTS,
    name: 'canvas_recent',
    keys: { canvas_id: 1, created_at: -1 },
    unique: false,
  },
  {
    collection: CANVAS_VERSIONS,
    name: 'canvas_version_unique',
    keys: { canvas_id: 1, version: 1 },
    unique: true,
  },
]

/**
 * Creates the data model's collections and indexes; idempotent (an identical index is a no-op). Run at start-up,
 * before any transaction: creating a collection implicitly inside a transaction is not allowed everywhere.
 * A conflicting existing index (same name, other keys or options) makes this throw rather than be ignored.
 */
export async function ensureDocumentModelIndexes(db: Db): Promise<void> {
  for (const plan of INDEXES) {
    await db
      .collection<Document>(plan.collection)
      .createIndex(plan.keys, { name: plan.name, unique: plan.unique })
  }
}
