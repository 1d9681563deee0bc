import { type Context, Hono } from 'hono'
import { z } from 'zod'
import { UniqueViolation } from '../../persistence/sql/metadata-store.ts'
import { UserDirectory } from '../../persistence/sql/user-directory.ts'
import type { User } from '../../schema/database.ts'
import { hashPassword } from '../auth/password.ts'
import { auditRequest, callerOf } from './audit-context.ts'
import { changedFields } from './changes.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { badRequest, conflict, forbidden, notFound } from './errors.ts'
import { idParam } from './params.ts'
import { email, password, personName, username } from './user-fields.ts'
import { readJson } from './validate.ts'
import { organizationUserView } from './views.ts'

const OrgRole = z.enum(['admin', 'member'])

const CreateUserBody = z.object({
  email,
  username,
  password,
  role: OrgRole.default('member'),
  first_name: personName.optional(),
  last_name: personName.optional(),
})

const UpdateUserBody = z.object({
  role: OrgRole.optional(),
  first_name: personName.optional(),
  last_name: personName.optional(),
})

/** Organization admins manage the users of their organization; other users get 403. */
function requireOrgAdmin(c: Context<AppEnv>): User {
  const user = c.get('user')
  if (user.role !== 'admin') throw forbidden('only organization admins manage users')
  return user
}

export function userRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const users = new UserDirectory(deps.metadata.db)

  /**
   * The `:userId` user of the caller's organization. Resolved before the admin check, so another organization's
   * ids are 404 for every caller, exactly like unknown ids.
   */
  const loadOrgUser = async (c: Context<AppEnv>) => {
    const organizationId = c.get('principal').organizationId
    const user = await users.get(organizationId, idParam(c, 'userId', 'user'))
    if (user === undefined) throw notFound('user')
    return { user, organizationId }
  }

  app.post('/users', async (c) => {
    const admin = requireOrgAdmin(c)
    const body = await readJson(c, CreateUserBody)
    const organizationId = c.get('principal').organizationId
    let user: User
    try {
      user = await users.create(organizationId, {
        email: body.email,
        username: body.username,
        passwordHash: await hashPassword(body.password),
        role: body.role,
        firstName: body.first_name,
        lastName: body.last_name,
      })
    } catch (error) {
      if (error instanceof UniqueViolation) throw conflict(`${error.field} is already taken`, error.field)
      throw error
    }
    auditRequest(deps, c, callerOf(c), {
      action: 'user.create',
      resourceType: 'user',
      resourceId: user.id,
      changes: { email: user.email, username: user.username, role: user.role, created_by: admin.id },
    })
    return c.json(organizationUserView(user), 201)
  })

  app.get('/users', async (c) => {
    requireOrgAdmin(c)
    const list = await users.list(c.get('principal').organizationId)
    return c.json({ users: list.map(organizationUserView) })
  })

  app.patch('/users/:userId', async (c) => {
    const { user: before, organizationId } = await loadOrgUser(c)
    const admin = requireOrgAdmin(c)
    const userId = before.id
    const body = await readJson(c, UpdateUserBody)
    if (Object.keys(body).length === 0) throw badRequest('body: nothing to change', 'body')
    // An organization must keep the admin who is acting; another admin can demote them.
    if (userId === admin.id && body.role === 'member') throw conflict('you cannot remove your own admin role')
    const after = await users.update(organizationId, userId, body)
    if (after === undefined) throw notFound('user')
    // Org admins are admins of every canvas of the organization: a role change changes access everywhere.
    if (after.role !== before.role) await deps.accessEvents.userChanged(userId)
    auditRequest(deps, c, callerOf(c), {
      action: 'user.update',
      resourceType: 'user',
      resourceId: userId,
      changes: changedFields(before, after, ['role', 'first_name', 'last_name']),
    })
    return c.json(organizationUserView(after))
  })

  /** Deactivation: the user can no longer sign in, every session ends, open sockets close with 4401. */
  const deactivate = async (c: Context<AppEnv>) => {
    const { user: before, organizationId } = await loadOrgUser(c)
    const admin = requireOrgAdmin(c)
    const userId = before.id
    if (userId === admin.id) throw conflict('you cannot deactivate yourself')
    // Inactive first: from here on authenticate() refuses the user, so no session can be used or created...
    const after = await users.deactivate(organizationId, userId)
    if (after === undefined) throw notFound('user')
    // ...then the sessions go, then open sockets on every instance re-check and close.
    const revoked = await deps.auth.revokeAllForUser(userId)
    await deps.accessEvents.userChanged(userId)
    auditRequest(deps, c, callerOf(c), {
      action: 'user.deactivate',
      resourceType: 'user',
      resourceId: userId,
      changes: { is_active: { from: before.is_active, to: false }, revoked_sessions: revoked },
    })
    return c.json(organizationUserView(after))
  }
  app.delete('/users/:userId', deactivate)
  app.post('/users/:userId/deactivate', deactivate)

  return app
}
