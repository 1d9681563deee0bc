/**
 * Request and response bodies of the history, template and comment routes (issue 5), shared with clients.
 * Timestamps are ISO 8601 strings.
 */
import type {
  BlockPosition,
  BlockType,
  CanvasChange,
  CanvasChangeType,
  CanvasJSON,
  JsonObject,
} from './canvas/index.ts'

export type VersionTriggerView = 'quiet' | 'interval' | 'unload' | 'manual' | 'restore' | 'pre-restore'

/** One version in a history listing. */
export interface VersionListItem {
  readonly version: number
  readonly parent_version: number
  readonly branch: string
  readonly label: string | null
  readonly trigger: VersionTriggerView
  /** `keyframe` versions store the full state, `delta` versions the change from their parent. */
  readonly kind: 'keyframe' | 'delta'
  /** Users whose edits went into this version. */
  readonly authors: readonly string[]
  readonly created_at: string
  /** Number of changes of each type since the parent version. */
  readonly counts: Readonly<Record<CanvasChangeType, number>>
  readonly data_bytes: number
}

export interface VersionListResponse {
  readonly versions: readonly VersionListItem[]
  /** Pass as `before` to get the next (older) page; null on the last page. */
  readonly next_before: number | null
}

export interface CreateVersionRequest {
  readonly label?: string
}

/** GET /canvases/:id/versions/:version */
export interface VersionDetail extends VersionListItem {
  /** The changes since the parent version. */
  readonly changes: readonly CanvasChange[]
  /** The canvas as it was at this version. */
  readonly document: CanvasJSON
}

export interface DiffResponse {
  readonly from: number
  readonly to: number
  readonly changes: readonly CanvasChange[]
  readonly counts: Readonly<Record<CanvasChangeType, number>>
}

/** One NDJSON line of GET /canvases/:id/replay. */
export interface ReplayLine extends VersionListItem {
  readonly changes: readonly CanvasChange[]
  /** Present with `state=1`. */
  readonly document?: CanvasJSON
}

export interface RestoreResponse {
  /** The new version the restore created (its parent is the version that was current). */
  readonly version: VersionListItem
  readonly restored_from: number
  /** False when the canvas already read as the restored version. */
  readonly changed: boolean
}

export interface TemplateBlockView {
  readonly id: string
  readonly type: BlockType
  readonly position: BlockPosition
  readonly content: JsonObject
}

export interface TemplateView {
  readonly id: string
  readonly organization_id: string | null
  readonly name: string
  readonly description: string | null
  readonly category: string | null
  readonly thumbnail_url: string | null
  readonly is_public: boolean
  readonly usage_count: number
  readonly blocks: readonly TemplateBlockView[]
  readonly required_fields: readonly string[]
  readonly created_by: string | null
  readonly created_at: string
}

export interface CreateTemplateRequest {
  readonly name: string
  readonly description?: string
  readonly category?: string
  readonly thumbnail_url?: string
  readonly blocks: readonly TemplateBlockView[]
  readonly required_fields?: readonly string[]
  /** Visible to every organization (organization admins only). */
  readonly is_public?: boolean
}

export interface TemplateListResponse {
  readonly templates: readonly TemplateView[]
  readonly next_cursor: string | null
}

export interface CommentView {
  readonly id: string
  readonly canvas_id: string
  readonly author_id: string
  readonly block_id: string | null
  readonly body: string
  readonly resolved_at: string | null
  readonly resolved_by: string | null
  readonly created_at: string
}

export interface CreateCommentRequest {
  readonly body: string
  readonly block_id?: string
}

export interface CommentListResponse {
  readonly comments: readonly CommentView[]
  readonly next_cursor: string | null
}
