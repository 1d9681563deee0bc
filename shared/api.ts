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
