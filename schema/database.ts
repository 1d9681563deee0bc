import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

/** A timestamptz column: read as Date, written as Date or ISO string, defaulted by the database. */
type CreatedAt = ColumnType<Date, Date | string | undefined, never>
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
/** JSONB: read as parsed JSON; written as a JSON string (portable across pg and PGlite). */
type Json<T> = ColumnType<T, string | undefined, string>
/** bigint columns come back as strings from pg; we convert at the adapter edge. */
type BigIntColumn = ColumnType<string | number, number | bigint | string, number | bigint | string>

export type JsonObject = { [key: string]: unknown }

export type PlanType = 'free' | 'team' | 'enterprise'
export type UserRole = 'admin' | 'member'
export type ProjectRole = 'viewer' | 'editor' | 'admin'
export type CanvasVisibility = 'private' | 'team' | 'public'

export interface OrganizationsTable {
  id: Generated<string>
  name: string
  slug: string
  plan_type: Generated<PlanType>
  settings: Json<JsonObject>
  created_at: CreatedAt
  updated_at: Timestamp
}

export interface UsersTable {
  id: Generated<string>
  email: string
  username: string
  hashed_password: string | null
  first_name: string | null
  last_name: string | null
  avatar_url: string | null
  organization_id: string | null
  role: Generated<UserRole>
  settings: Json<JsonObject>
  is_active: Generated<boolean>
  last_login_at: NullableTimestamp
  created_at: CreatedAt
  updated_at: Timestamp
}

export interface ProjectsTable {
  id: Generated<string>
  name: string
  description: string | null
  organization_id: string
  owner_id: string
  settings: Json<JsonObject>
  is_archived: Generated<boolean>
  created_at: CreatedAt
  updated_at: Timestamp
}

export interface ProjectMembersTable {
  project_id: string
  user_id: string
  role: ProjectRole
  permissions: Json<JsonObject>
  invited_by: string | null
  joined_at: CreatedAt
}

export interface SavedQueriesTable {
  id: Generated<string>
  project_id: string
  name: string
  query_text: string
  query_type: 'sql' | 'python' | 'natural_language'
  parameters: Json<JsonObject>
  created_by: string | null
  is_public: Generated<boolean>
  created_at: CreatedAt
  updated_at: Timestamp
}

export interface AuditLogsTable {
  id: Generated<string>
  user_id: string | null
  organization_id: string | null
  action: string
  resource_type: string
  resource_id: string | null
  changes: ColumnType<JsonObject | null, string | null | undefined, string | null>
  ip_address: string | null
  user_agent: string | null
  created_at: CreatedAt
}

export interface CanvasesTable {
  id: Generated<string>
  project_id: string
  name: string
  description: string | null
  owner_id: string
  visibility: Generated<CanvasVisibility>
  current_version: Generated<number>
  created_at: CreatedAt
  updated_at: Timestamp
  deleted_at: NullableTimestamp
  /** Secret of the canvas's public link (migration 0003); null when the link is off. */
  public_link_token: ColumnType<string | null, string | null | undefined, string | null>
}

/** A user's role on one canvas, granted through sharing (migration 0003). */
export interface CanvasPermissionsTable {
  canvas_id: string
  user_id: string
  role: ProjectRole
  granted_by: string | null
  granted_at: CreatedAt
}

/** Embedded session store (Redis `session:{hash}` replaces it when REDIS_URL is set). */
export interface SessionsTable {
  token_hash: string
  user_id: string
  organization_id: string
  created_at: CreatedAt
  expires_at: Timestamp
}

/** SQL document store: compacted Yjs state of a canvas. */
export interface CanvasDocumentsTable {
  canvas_id: string
  state: Uint8Array | null
  /** Every journal seq <= state_seq is folded into `state`. */
  state_seq: BigIntColumn
  /** Last seq handed out; seqs are allocated under this row's lock so they commit in order. */
  last_seq: BigIntColumn
  updated_at: Timestamp
}

/** SQL document store: write-ahead journal of accepted updates. */
export interface CanvasJournalTable {
  canvas_id: string
  seq: BigIntColumn
  update: Uint8Array
  author_id: string | null
  created_at: CreatedAt
}

/** Version history (migration 0004): one row per version; keyframes hold the full state, deltas the change. */
export interface CanvasVersionsTable {
  canvas_id: string
  version: number
  parent_version: number
  branch: string
  kind: 'keyframe' | 'delta'
  keyframe_version: number
  authors: Json<string[]>
  label: string | null
  trigger: string
  summary: Json<JsonObject>
  data: Uint8Array
  state_vector: Uint8Array
  created_at: CreatedAt
}

/** The newest version's canvas JSON. */
export interface CanvasMaterializedTable {
  canvas_id: string
  version: number
  canvas: Json<JsonObject>
  updated_at: Timestamp
}

export interface CanvasTemplatesTable {
  id: Generated<string>
  organization_id: string | null
  name: string
  description: string | null
  category: string | null
  thumbnail_url: string | null
  is_public: boolean
  usage_count: Generated<number>
  blocks: Json<unknown[]>
  required_fields: Json<string[]>
  created_by: string | null
  created_at: CreatedAt
}

export interface CanvasCommentsTable {
  id: Generated<string>
  canvas_id: string
  author_id: string
  block_id: string | null
  body: string
  resolved_at: NullableTimestamp
  resolved_by: string | null
  created_at: CreatedAt
  deleted_at: NullableTimestamp
}

export interface Database {
  organizations: OrganizationsTable
  users: UsersTable
  projects: ProjectsTable
  project_members: ProjectMembersTable
  saved_queries: SavedQueriesTable
  audit_logs: AuditLogsTable
  canvases: CanvasesTable
  canvas_permissions: CanvasPermissionsTable
  sessions: SessionsTable
  canvas_documents: CanvasDocumentsTable
  canvas_journal: CanvasJournalTable
  canvas_versions: CanvasVersionsTable
  canvas_materialized: CanvasMaterializedTable
  canvas_templates: CanvasTemplatesTable
  canvas_comments: CanvasCommentsTable
}

export type Organization = Selectable<OrganizationsTable>
export type User = Selectable<UsersTable>
export type NewUser = Insertable<UsersTable>
export type Project = Selectable<ProjectsTable>
export type ProjectUpdate = Updateable<ProjectsTable>
export type ProjectMember = Selectable<ProjectMembersTable>
export type Canvas = Selectable<CanvasesTable>
export type CanvasPermission = Selectable<CanvasPermissionsTable>
export type AuditLog = Selectable<AuditLogsTable>
export type NewAuditLog = Insertable<AuditLogsTable>
