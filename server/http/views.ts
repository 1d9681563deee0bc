import type { Canvas, Organization, Project, ProjectRole, User } from '../../schema/database.ts'
import type { CanvasView, OrganizationView, ProjectView, UserView } from '../../shared/api.ts'

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
