import type { CanvasSharing } from '../../persistence/sql/canvas-store.ts'
import type { MemberRow } from '../../persistence/sql/project-store.ts'
import type { AuditLog, Canvas, Organization, Project, ProjectRole, User } from '../../schema/database.ts'
import type {
  AuditLogView,
  CanvasView,
  OrganizationUserView,
  OrganizationView,
  ProjectMemberView,
  ProjectView,
  ProjectWithRoleView,
  SharingView,
  UserView,
} from '../../shared/api.ts'
import { displayName } from '../auth/authenticator.ts'

/** Database rows -> API views. Views never carry secrets (hashed_password, settings of others). */

export function userView(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    username: user.username,
    first_name: user.first_name,
    last_name: user.last_name,
    organization_id: user.organization_id,
    role: user.role,
    created_at: user.created_at.toISOString(),
  }
}

export function organizationView(organization: Organization): OrganizationView {
  return {
    id: organization.id,
    name: organization.name,
    slug: organization.slug,
    plan_type: organization.plan_type,
  }
}

export function projectView(project: Project): ProjectView {
  return {
    id: project.id,
    name: project.name,
    description: project.description,
    organization_id: project.organization_id,
    owner_id: project.owner_id,
    is_archived: project.is_archived,
    created_at: project.created_at.toISOString(),
    updated_at: project.updated_at.toISOString(),
  }
}

export function canvasView(canvas: Canvas, role: ProjectRole): CanvasView {
  return {
    id: canvas.id,
    project_id: canvas.project_id,
    name: canvas.name,
    description: canvas.description,
    owner_id: canvas.owner_id,
    visibility: canvas.visibility,
    current_version: canvas.current_version,
    created_at: canvas.created_at.toISOString(),
    updated_at: canvas.updated_at.toISOString(),
    role,
  }
}

export function organizationUserView(user: User): OrganizationUserView {
  return {
    ...userView(user),
    is_active: user.is_active,
    last_login_at: user.last_login_at === null ? null : user.last_login_at.toISOString(),
  }
}

export function projectWithRoleView(project: Project, role: ProjectRole): ProjectWithRoleView {
  return { ...projectView(project), role }
}

export function memberView(member: MemberRow): ProjectMemberView {
  return {
    user_id: member.user_id,
    username: member.username,
    display_name: displayName(member),
    role: member.role,
    invited_by: member.invited_by,
    joined_at: member.joined_at.toISOString(),
  }
}

export function sharingView(canvasId: string, sharing: CanvasSharing): SharingView {
  return {
    canvas_id: canvasId,
    visibility: sharing.visibility,
    permissions: sharing.permissions.map((grant) => ({
      user_id: grant.user_id,
      role: grant.role,
      granted_by: grant.granted_by,
      granted_at: grant.granted_at.toISOString(),
    })),
    public_link: sharing.publicLinkToken === null ? null : { token: sharing.publicLinkToken },
  }
}

export function auditLogView(row: AuditLog): AuditLogView {
  return {
    id: row.id,
    user_id: row.user_id,
    organization_id: row.organization_id,
    action: row.action,
    resource_type: row.resource_type,
    resource_id: row.resource_id,
    changes: row.changes,
    ip_address: row.ip_address,
    user_agent: row.user_agent,
    created_at: row.created_at.toISOString(),
  }
}
