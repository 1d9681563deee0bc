import { Hono } from 'hono'
import { z } from 'zod'
import { ProjectStore } from '../../persistence/sql/project-store.ts'
import { UserDirectory } from '../../persistence/sql/user-directory.ts'
import { auditRequest, callerOf } from './audit-context.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { conflict, notFound } from './errors.ts'
import { idParam } from './params.ts'
import { requireProjectRole } from './project-access.ts'
import { readJson } from './validate.ts'
import { memberView } from './views.ts'

const ProjectRole = z.enum(['viewer', 'editor', 'admin'])

const AddMemberBody = z.object({
  user_id: z.guid('must be a user id'),
  role: ProjectRole,
})

const UpdateMemberBody = z.object({ role: ProjectRole })

/**
 * Project membership. Project viewers list members; project admins add, change and remove them. The owner is always
 * an admin of their project: demoting or removing them is refused (409). Every change is announced so the member's
 * open sockets re-check their access on every instance.
 */
export function memberRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const projects = new ProjectStore(deps.metadata.db)
  const users = new UserDirectory(deps.metadata.db)

  app.get('/projects/:projectId/members', async (c) => {
    const { project } = await requireProjectRole(deps, c, 'viewer')
    const members = await projects.listMembers(project.id)
    return c.json({ members: members.map(memberView) })
  })

  app.post('/projects/:projectId/members', async (c) => {
    const { project } = await requireProjectRole(deps, c, 'admin')
    const body = await readJson(c, AddMemberBody)
    // Users of other organizations look exactly like unknown ids.
    const user = await users.get(project.organization_id, body.user_id)
    if (user === undefined || !user.is_active) throw notFound('user')
    const added = await projects.addMember({
      projectId: project.id,
      userId: user.id,
      role: body.role,
      invitedBy: c.get('principal').userId,
    })
    if (added === undefined)
      throw conflict('the user is already a member; change their role instead', 'user_id')
    await deps.accessEvents.userChanged(user.id)
    auditRequest(deps, c, callerOf(c), {
      action: 'project.member_add',
      resourceType: 'project',
      resourceId: project.id,
      changes: { user_id: user.id, role: body.role },
    })
    const [view] = await projects.listMembers(project.id, user.id)
    if (view === undefined) throw notFound('member')
    return c.json(memberView(view), 201)
  })

  app.patch('/projects/:projectId/members/:userId', async (c) => {
    const { project } = await requireProjectRole(deps, c, 'admin')
    const userId = idParam(c, 'userId', 'member')
    const body = await readJson(c, UpdateMemberBody)
    const before = await projects.getMember(project.id, userId)
    if (before === undefined) throw notFound('member')
    if (userId === project.owner_id && body.role !== 'admin') {
      throw conflict('the project owner is always an admin', 'role')
    }
    const after = await projects.updateMember(project.id, userId, body.role)
    if (after === undefined) throw notFound('member')
    if (after.role !== before.role) await deps.accessEvents.userChanged(userId)
    auditRequest(deps, c, callerOf(c), {
      action: 'project.member_update',
      resourceType: 'project',
      resourceId: project.id,
      changes: { user_id: userId, role: { from: before.role, to: after.role } },
    })
    const [view] = await projects.listMembers(project.id, userId)
    if (view === undefined) throw notFound('member')
    return c.json(memberView(view))
  })

  app.delete('/projects/:projectId/members/:userId', async (c) => {
    const { project } = await requireProjectRole(deps, c, 'admin')
    const userId = idParam(c, 'userId', 'member')
    if (userId === project.owner_id) throw conflict('the project owner cannot be removed')
    const before = await projects.getMember(project.id, userId)
    if (before === undefined || !(await projects.removeMember(project.id, userId))) throw notFound('member')
    await deps.accessEvents.userChanged(userId)
    auditRequest(deps, c, callerOf(c), {
      action: 'project.member_remove',
      resourceType: 'project',
      resourceId: project.id,
      changes: { user_id: userId, role: before.role },
    })
    return c.body(null, 204)
  })

  return app
}
