import { randomBytes } from 'node:crypto'
import * as assert from 'uvu/assert'
import type { UserRole } from '../../schema/database.ts'
import { call, type createInProcessApp } from './in-process.ts'

export type InProcessEnv = Awaited<ReturnType<typeof createInProcessApp>>

/** The roles a caller can have towards an organization's project `P` and its canvases. */
export const CALLER_ROLES = ['orgAdmin', 'projAdmin', 'editor', 'viewer', 'outsider'] as const
export type CallerRole = (typeof CALLER_ROLES)[number]

/**
 * One organization: an org admin (who signed up), a project admin, an editor and a viewer of project P, and an
 * outsider (a user of the organization who is not a member of P); a private canvas C and a team canvas T in P.
 */
export interface OrgFixture {
  readonly name: string
  readonly organizationId: string
  readonly ids: Readonly<Record<CallerRole, string>>
  readonly tokens: Readonly<Record<CallerRole, string>>
  readonly emails: readonly string[]
  readonly projectId: string
  readonly projectName: string
  readonly canvasId: string
  readonly canvasName: string
  readonly teamCanvasId: string
  /** A member (viewer) of P whose role tests may change. */
  readonly spareMemberId: string
}

export const unique = (prefix: string) => `${prefix}_${randomBytes(4).toString('hex')}`

/** A user inserted directly (no password, no hashing cost); returns their id. */
export async function insertUser(env: InProcessEnv, organizationId: string, role: UserRole = 'member') {
  const name = unique('user')
  const row = await env.metadata.db
    .insertInto('users')
    .values({
      email: `${name}@example.com`,
      username: name,
      hashed_password: null,
      organization_id: organizationId,
      role,
      settings: '{}',
    })
    .returning(['id', 'email'])
    .executeTakeFirstOrThrow()
  return row
}

/** A session for a user, without the password round trip. */
export function sessionFor(env: InProcessEnv, userId: string, organizationId: string): Promise<string> {
  return env.auth.issue({ id: userId, organization_id: organizationId })
}

/** Calls the API and asserts the status; returns the body. */
export async function expectStatus(
  env: InProcessEnv,
  method: string,
  path: string,
  token: string | undefined,
  status: number,
  body?: unknown,
) {
  const response = await call(env.app, method, path, { token, body })
  assert.is(response.status, status, `${method} ${path}: ${JSON.stringify(response.body)}`)
  return response.body
}

export async function buildOrg(env: InProcessEnv, label: string): Promise<OrgFixture> {
  const name = unique(label)
  const signup = await expectStatus(env, 'POST', '/api/auth/signup', undefined, 201, {
    email: `${name}@example.com`,
    username: name,
    password: 'correct horse battery',
    organization: `${name} corp`,
  })
  const adminToken = signup.token as string
  const adminId = (signup.user as { id: string }).id
  const organizationId = (signup.organization as { id: string }).id
  const emails = [`${name}@example.com`]
  const ids: Record<CallerRole, string> = {
    orgAdmin: adminId,
    projAdmin: '',
    editor: '',
    viewer: '',
    outsider: '',
  }
  const tokens: Record<CallerRole, string> = { ...ids, orgAdmin: adminToken }
  for (const role of ['projAdmin', 'editor', 'viewer', 'outsider'] as const) {
    const user = await insertUser(env, organizationId)
    ids[role] = user.id
    tokens[role] = await sessionFor(env, user.id, organizationId)
    emails.push(user.email)
  }
  const projectName = unique(`${label}_project`)
  const project = await expectStatus(env, 'POST', '/api/projects', adminToken, 201, { name: projectName })
  const projectId = project.id as string
  const memberRoles = { projAdmin: 'admin', editor: 'editor', viewer: 'viewer' } as const
  for (const [role, projectRole] of Object.entries(memberRoles) as [keyof typeof memberRoles, string][]) {
    await expectStatus(env, 'POST', `/api/projects/${projectId}/members`, adminToken, 201, {
      user_id: ids[role],
      role: projectRole,
    })
  }
  const spare = await insertUser(env, organizationId)
  emails.push(spare.email)
  await expectStatus(env, 'POST', `/api/projects/${projectId}/members`, adminToken, 201, {
    user_id: spare.id,
    role: 'viewer',
  })
  const canvasName = unique(`${label}_canvas`)
  const canvas = await expectStatus(env, 'POST', `/api/projects/${projectId}/canvases`, adminToken, 201, {
    name: canvasName,
  })
  const team = await expectStatus(env, 'POST', `/api/projects/${projectId}/canvases`, adminToken, 201, {
    name: unique(`${label}_team`),
  })
  await expectStatus(env, 'PUT', `/api/canvases/${team.id as string}/sharing`, adminToken, 200, {
    visibility: 'team',
    permissions: [{ user_id: adminId, role: 'admin' }],
    public_link: false,
  })
  return {
    name,
    organizationId,
    ids,
    tokens,
    emails,
    projectId,
    projectName,
    canvasId: canvas.id as string,
    canvasName,
    teamCanvasId: team.id as string,
    spareMemberId: spare.id,
  }
}
