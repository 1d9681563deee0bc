import type { Context } from 'hono'
import { roleAtLeast } from '../../persistence/sql/metadata-store.ts'
import type { Project, ProjectRole } from '../../schema/database.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { forbidden, notFound } from './errors.ts'
import { idParam } from './params.ts'

export interface ProjectAccess {
  readonly project: Project
  readonly role: ProjectRole
}

/**
 * The `:projectId` project with the caller's role, requiring at least `needed`. Unknown ids, other organizations'
 * projects and projects the caller is not a member of are all 404 (their existence is not revealed); a member
 * below `needed` gets 403.
 */
export async function requireProjectRole(
  deps: HttpDeps,
  c: Context<AppEnv>,
  needed: ProjectRole,
): Promise<ProjectAccess> {
  const projectId = idParam(c, 'projectId', 'project')
  const project = await deps.metadata.getProject(c.get('principal').organizationId, projectId)
  const role = project === undefined ? null : await deps.metadata.projectRole(c.get('user'), project)
  if (project === undefined || role === null) throw notFound('project')
  if (!roleAtLeast(role, needed)) throw forbidden(`this needs the ${needed} role on the project`)
  return { project, role }
}
