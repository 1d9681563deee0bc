/** Request and response bodies of the REST API, shared with clients. Timestamps are ISO 8601 strings. */

export interface ApiError {
  readonly error: string
  /** The request field at fault, for 400s. */
  readonly field?: string
}

export interface SignupRequest {
  readonly email: string
  readonly username: string
  readonly password: string
  readonly organization: string
}

export interface LoginRequest {
  readonly email: string
  readonly password: string
}

export interface UserView {
  readonly id: string
  readonly email: string
  readonly username: string
  readonly first_name: string | null
  readonly last_name: string | null
  readonly organization_id: string | null
  readonly role: 'admin' | 'member'
  readonly created_at: string
}

export interface OrganizationView {
  readonly id: string
  readonly name: string
  readonly slug: string
  readonly plan_type: string
}

export interface SignupResponse {
  readonly token: string
  readonly user: UserView
  readonly organization: OrganizationView
}

export interface LoginResponse {
  readonly token: string
  readonly user: UserView
}

export interface MeResponse {
  readonly user: UserView
  readonly organization: OrganizationView
}

export interface ProjectView {
  readonly id: string
  readonly name: string
  readonly description: string | null
  readonly organization_id: string
  readonly owner_id: string
  readonly is_archived: boolean
  readonly created_at: string
  readonly updated_at: string
}

export interface CreateProjectRequest {
  readonly name: string
  readonly description?: string
}

export interface CreateCanvasRequest {
  readonly name: string
  readonly description?: string
}

export interface CanvasView {
  readonly id: string
  readonly project_id: string
  readonly name: string
  readonly description: string | null
  readonly owner_id: string
  readonly visibility: 'private' | 'team' | 'public'
  readonly current_version: number
  readonly created_at: string
  readonly updated_at: string
  /** The caller's effective role on this canvas. */
  readonly role: 'viewer' | 'editor' | 'admin'
}

/** A user as their organization's admins see it. */
export interface OrganizationUserView extends UserView {
  readonly is_active: boolean
  readonly last_login_at: string | null
}

export interface CreateUserRequest {
  readonly email: string
  readonly username: string
  readonly password: string
  readonly role: 'admin' | 'member'
}

/** A project with the caller's role on it. */
export interface ProjectWithRoleView extends ProjectView {
  readonly role: 'viewer' | 'editor' | 'admin'
}

export interface ProjectMemberView {
  readonly user_id: string
  readonly username: string
  readonly display_name: string
  readonly role: 'viewer' | 'editor' | 'admin'
  readonly invited_by: string | null
  readonly joined_at: string
}

export interface CanvasGrantView {
  readonly user_id: string
  readonly role: 'viewer' | 'editor' | 'admin'
  readonly granted_by: string | null
  readonly granted_at: string
}

export interface SharingRequest {
  readonly visibility: 'private' | 'team' | 'public'
  readonly permissions: readonly { readonly user_id: string; readonly role: 'viewer' | 'editor' | 'admin' }[]
  readonly public_link: boolean
}

export interface SharingView {
  readonly canvas_id: string
  readonly visibility: 'private' | 'team' | 'public'
  readonly permissions: readonly CanvasGrantView[]
  /** The public link (viewer access for any signed-in user presenting `token`), or null when off. */
  readonly public_link: { readonly token: string } | null
}

export interface AuditLogView {
  readonly id: string
  readonly user_id: string | null
  readonly organization_id: string | null
  readonly action: string
  readonly resource_type: string
  readonly resource_id: string | null
  readonly changes: Record<string, unknown> | null
  readonly ip_address: string | null
  readonly user_agent: string | null
  readonly created_at: string
}

export interface AuditLogPage {
  readonly entries: readonly AuditLogView[]
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  readonly next_cursor: string | null
}
