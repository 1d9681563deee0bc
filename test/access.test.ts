import { randomUUID } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { call, createInProcessApp } from './support/in-process.ts'
import {
  buildOrg,
  CALLER_ROLES,
  type CallerRole,
  expectStatus,
  type InProcessEnv,
  insertUser,
  type OrgFixture,
  sessionFor,
} from './support/org-fixture.ts'
import { type Need, type PreparedRequest, ROUTE_CASES } from './support/route-cases.ts'

const test = suite<{ env: InProcessEnv; a: OrgFixture; b: OrgFixture }>(
  'access: roles, tenancy (IDOR), sharing, sessions (in-process)',
)

test.before(async (context) => {
  context.env = await createInProcessApp()
  context.a = await buildOrg(context.env, 'alpha')
  context.b = await buildOrg(context.env, 'beta')
})

test.after(async (context) => {
  await context.env.close()
})

const RANK = { viewer: 1, editor: 2, admin: 3 } as const
const PROJECT_RANK: Readonly<Record<CallerRole, number>> = {
  orgAdmin: 3,
  projAdmin: 3,
  editor: 2,
  viewer: 1,
  outsider: 0,
}

/** The status a caller of organization A with `role` must get on a route of A needing `need`. */
function expectedStatus(role: CallerRole, need: Need, ok: number): number {
  switch (need) {
    case 'signed-in':
      return ok
    case 'org-admin':
      return role === 'orgAdmin' ? ok : 403
    case 'viewer':
    case 'editor':
    case 'admin':
      if (role === 'outsider') return 404
      return PROJECT_RANK[role] >= RANK[need] ? ok : 403
    default: {
      const never: never = need
      throw new Error(`unknown need ${String(never)}`)
    }
  }
}

async function send(env: InProcessEnv, request: PreparedRequest, token: string) {
  return call(env.app, request.method, request.path, { token, body: request.body })
}

/** Rows of one organization that no foreign caller may change. */
async function snapshot(env: InProcessEnv, org: OrgFixture): Promise<string> {
  const db = env.metadata.db
  const users = await db
    .selectFrom('users')
    .select(['id', 'email', 'role', 'is_active', 'first_name', 'last_name', 'updated_at'])
    .where('organization_id', '=', org.organizationId)
    .orderBy('id')
    .execute()
  const projects = await db
    .selectFrom('projects')
    .selectAll()
    .where('organization_id', '=', org.organizationId)
    .orderBy('id')
    .execute()
  const projectIds = projects.map((project) => project.id)
  const members = await db
    .selectFrom('project_members')
    .selectAll()
    .where('project_id', 'in', projectIds)
    .orderBy('project_id')
    .orderBy('user_id')
    .execute()
  const canvases = await db
    .selectFrom('canvases')
    .selectAll()
    .where('project_id', 'in', projectIds)
    .orderBy('id')
    .execute()
  const grants = await db
    .selectFrom('canvas_permissions')
    .selectAll()
    .where(
      'canvas_id',
      'in',
      canvases.map((canvas) => canvas.id),
    )
    .orderBy('canvas_id')
    .orderBy('user_id')
    .execute()
  const sessions = await db
    .selectFrom('sessions')
    .select('token_hash')
    .where('organization_id', '=', org.organizationId)
    .orderBy('token_hash')
    .execute()
  return JSON.stringify({ users, projects, members, canvases, grants, sessions })
}

/** Everything that identifies organization A's data; none of it may appear in a response to B. */
function secretsOf(org: OrgFixture): string[] {
  return [
    org.organizationId,
    org.projectId,
    org.projectName,
    org.canvasId,
    org.canvasName,
    org.teamCanvasId,
    org.spareMemberId,
    ...Object.values(org.ids),
    ...org.emails,
  ]
}

test('the matrix covers every authenticated REST route the app serves', ({ env }) => {
  const served = new Set(
    env.app.routes
      .filter((route) => route.method !== 'ALL' && route.path.startsWith('/api/'))
      .map((route) => `${route.method} ${route.path}`)
      .filter((route) => !route.includes('/api/auth/')),
  )
  const covered = new Set(ROUTE_CASES.map((routeCase) => routeCase.route))
  const missing = [...served].filter((route) => !covered.has(route))
  assert.equal(missing, [], `routes without a role/IDOR case: ${missing.join(', ')}`)
})

test('role matrix: org admin, project admin, editor, viewer and non-member on every route', async ({
  env,
  a,
}) => {
  const failures: string[] = []
  for (const routeCase of ROUTE_CASES) {
    for (const role of CALLER_ROLES) {
      const request = await routeCase.prepare(env, a)
      const response = await send(env, request, a.tokens[role])
      const expected = expectedStatus(role, routeCase.need, routeCase.ok)
      if (response.status !== expected) {
        failures.push(`${routeCase.route} as ${role}: ${response.status} (expected ${expected})`)
      }
    }
  }
  assert.equal(failures, [])
})

test('IDOR matrix: every route with ids of another organization, as every role there, leaks and changes nothing', async ({
  env,
  a,
  b,
}) => {
  const cases = ROUTE_CASES.filter((routeCase) => routeCase.targetsIds)
  const requests = await Promise.all(cases.map((routeCase) => routeCase.prepare(env, a)))
  // Ids of A in request bodies, against B's own resources.
  const bodyRequests: PreparedRequest[] = [
    {
      method: 'POST',
      path: `/api/projects/${b.projectId}/members`,
      body: { user_id: a.ids.viewer, role: 'editor' },
    },
    {
      method: 'PUT',
      path: `/api/canvases/${b.canvasId}/sharing`,
      body: {
        visibility: 'private',
        permissions: [{ user_id: a.ids.editor, role: 'admin' }],
        public_link: false,
      },
    },
    {
      method: 'PATCH',
      path: `/api/projects/${b.projectId}/members/${a.ids.viewer}`,
      body: { role: 'admin' },
    },
    { method: 'DELETE', path: `/api/projects/${b.projectId}/members/${a.ids.viewer}` },
  ]
  const before = await snapshot(env, a)
  const beforeB = await snapshot(env, b)
  const secrets = secretsOf(a)
  const failures: string[] = []
  for (const role of CALLER_ROLES) {
    const token = b.tokens[role]
    for (const [index, request] of [...requests, ...bodyRequests].entries()) {
      const response = await send(env, request, token)
      const routeCase = cases[index]
      const label = `${routeCase?.route ?? `${request.method} ${request.path}`} as beta ${role}`
      // Ids of A in the path: always 404. Ids of A in a body on B's own resource: the caller's role on that
      // resource decides first (403 below admin), and A's id is then unknown (404).
      const expected = routeCase === undefined ? expectedStatus(role, 'admin', 404) : 404
      if (response.status !== expected) failures.push(`${label}: ${response.status} (expected ${expected})`)
      const text = JSON.stringify(response.body)
      for (const secret of secrets) if (text.includes(secret)) failures.push(`${label}: leaks ${secret}`)
    }
    // Listings are scoped to the caller's organization.
    for (const path of [
      '/api/projects?include_archived=true',
      '/api/users',
      `/api/audit-logs?user_id=${a.ids.orgAdmin}`,
      `/api/audit-logs?resource_id=${a.canvasId}`,
      '/api/audit-logs',
      `/api/projects/${b.projectId}/members`,
      `/api/projects/${b.projectId}/canvases`,
      '/api/me',
    ]) {
      const response = await call(env.app, 'GET', path, { token })
      if (![200, 403, 404].includes(response.status)) failures.push(`GET ${path}: ${response.status}`)
      const text = JSON.stringify(response.body)
      for (const secret of secrets)
        if (text.includes(secret)) failures.push(`GET ${path} as ${role}: leaks ${secret}`)
    }
  }
  assert.equal(failures, [])
  assert.is(await snapshot(env, a), before, "nothing of alpha's changed")
  assert.is(await snapshot(env, b), beforeB, "nothing of beta's changed by refused requests")
})

test('effective role: grants, team and public visibility, public links', async ({ env, a, b }) => {
  const admin = a.tokens.orgAdmin
  const canvas = await expectStatus(env, 'POST', `/api/projects/${a.projectId}/canvases`, admin, 201, {
    name: 'shared',
  })
  const path = `/api/canvases/${canvas.id as string}`
  const roleOf = async (token: string, suffix = '') => {
    const response = await call(env.app, 'GET', `${path}${suffix}`, { token })
    return response.status === 200 ? (response.body.role as string) : response.status
  }
  assert.is(await roleOf(a.tokens.outsider), 404, 'private: a non-member does not see it')
  assert.is(await roleOf(a.tokens.viewer), 'viewer', 'project membership')

  const share = (body: unknown, status = 200) =>
    expectStatus(env, 'PUT', `${path}/sharing`, admin, status, body)
  await share({
    visibility: 'private',
    permissions: [
      { user_id: a.ids.outsider, role: 'editor' },
      { user_id: a.ids.viewer, role: 'admin' },
    ],
    public_link: false,
  })
  assert.is(await roleOf(a.tokens.outsider), 'editor', 'a grant alone gives access')
  assert.is(await roleOf(a.tokens.viewer), 'admin', 'the strongest of membership and grant')
  assert.is(await roleOf(a.tokens.editor), 'editor', 'a grant never lowers a membership')
  assert.is(await roleOf(b.tokens.orgAdmin), 404, 'another organization sees nothing')

  await share({ visibility: 'team', permissions: [], public_link: false })
  assert.is(await roleOf(a.tokens.outsider), 'viewer', 'team: everyone in the organization views')
  assert.is(await roleOf(a.tokens.viewer), 'viewer', 'removing the grant takes effect')
  assert.is(await roleOf(b.tokens.orgAdmin), 404, 'team is not public')

  const linked = await share({ visibility: 'private', permissions: [], public_link: true })
  const token = (linked.public_link as { token: string }).token
  assert.match(token, /^[A-Za-z0-9_-]{43}$/)
  assert.is(
    await roleOf(b.tokens.viewer, `?link=${token}`),
    'viewer',
    'a public link lets anyone signed in view',
  )
  assert.is(await roleOf(b.tokens.viewer), 404, 'but only with the link')
  assert.is(await roleOf(b.tokens.viewer, `?link=${'x'.repeat(43)}`), 404, 'a wrong link token is no access')
  const again = await share({ visibility: 'private', permissions: [], public_link: true })
  assert.equal(again.public_link, { token }, 'keeping the link keeps its token')
  await share({ visibility: 'private', permissions: [], public_link: false })
  assert.is(await roleOf(b.tokens.viewer, `?link=${token}`), 404, 'turning the link off invalidates it')
  const renewed = await share({ visibility: 'private', permissions: [], public_link: true })
  assert.is.not((renewed.public_link as { token: string }).token, token, 'a new link gets a new token')

  await share({ visibility: 'public', permissions: [], public_link: false })
  assert.is(await roleOf(b.tokens.outsider), 'viewer', 'public: any signed-in user views')
  assert.is(await roleOf(a.tokens.editor), 'editor')

  // Grants name users of the canvas's organization only.
  await share(
    { visibility: 'private', permissions: [{ user_id: b.ids.viewer, role: 'viewer' }], public_link: false },
    404,
  )
  const sharing = await expectStatus(env, 'GET', `${path}/sharing`, admin, 200)
  assert.equal(sharing.permissions, [], 'a refused update changed nothing')
  assert.is(sharing.visibility, 'public')
})

test('access checks made together (one query per user) each get their own answer', async ({ env, a, b }) => {
  const userRow = (id: string) =>
    env.metadata.db
      .selectFrom('users')
      .select(['id', 'role', 'organization_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  const viewer = await userRow(a.ids.viewer)
  const outsider = await userRow(a.ids.outsider)
  const foreignAdmin = await userRow(b.ids.orgAdmin)
  const checks = await Promise.all([
    env.metadata.canvasAccess(viewer, a.canvasId),
    env.metadata.canvasAccess(viewer, a.canvasId.toUpperCase()),
    env.metadata.canvasAccess(outsider, a.canvasId),
    env.metadata.canvasAccess(outsider, a.teamCanvasId),
    env.metadata.canvasAccess(foreignAdmin, a.canvasId),
    env.metadata.canvasAccess(foreignAdmin, b.canvasId),
    env.metadata.canvasAccess(viewer, b.canvasId),
    env.metadata.canvasAccess(viewer, randomUUID()),
    env.metadata.canvasAccess(viewer, 'not-a-canvas-id'),
  ])
  assert.equal(
    checks.map((check) => check?.role ?? null),
    ['viewer', 'viewer', null, 'viewer', null, 'admin', null, null, null],
  )
  assert.is(checks[1]?.canvas.id, a.canvasId, 'an upper-case id finds the same canvas')
})

test('membership rules: owner stays admin, duplicates conflict, foreign or inactive users are unknown', async ({
  env,
  a,
  b,
}) => {
  const admin = a.tokens.orgAdmin
  const members = `/api/projects/${a.projectId}/members`
  await expectStatus(env, 'PATCH', `${members}/${a.ids.orgAdmin}`, admin, 409, { role: 'viewer' })
  await expectStatus(env, 'DELETE', `${members}/${a.ids.orgAdmin}`, admin, 409)
  const duplicate = await expectStatus(env, 'POST', members, admin, 409, {
    user_id: a.ids.viewer,
    role: 'editor',
  })
  assert.is(duplicate.field, 'user_id')
  await expectStatus(env, 'POST', members, admin, 404, { user_id: b.ids.viewer, role: 'editor' })
  await expectStatus(env, 'PATCH', `${members}/${a.ids.outsider}`, admin, 404, { role: 'editor' })
  const inactive = await insertUser(env, a.organizationId)
  await expectStatus(env, 'DELETE', `/api/users/${inactive.id}`, admin, 200)
  await expectStatus(env, 'POST', members, admin, 404, { user_id: inactive.id, role: 'viewer' })
  // A project admin (not org admin) manages members too, and the change shows in the member's role.
  const target = await insertUser(env, a.organizationId)
  await expectStatus(env, 'POST', members, a.tokens.projAdmin, 201, { user_id: target.id, role: 'viewer' })
  const changed = await expectStatus(env, 'PATCH', `${members}/${target.id}`, a.tokens.projAdmin, 200, {
    role: 'editor',
  })
  assert.is(changed.role, 'editor')
  const listed = await expectStatus(env, 'GET', members, a.tokens.viewer, 200)
  assert.ok((listed.members as { user_id: string }[]).some((member) => member.user_id === target.id))
  await expectStatus(env, 'DELETE', `${members}/${target.id}`, a.tokens.projAdmin, 204)
  await expectStatus(env, 'DELETE', `${members}/${target.id}`, a.tokens.projAdmin, 404)
})

test('users: admins add, list, update and deactivate; deactivation ends sessions and sign-in', async ({
  env,
  a,
}) => {
  const admin = a.tokens.orgAdmin
  const created = await expectStatus(env, 'POST', '/api/users', admin, 201, {
    email: 'New.Person@Example.com',
    username: 'new_person',
    password: 'a long password',
    role: 'member',
    first_name: 'New',
  })
  assert.is(created.email, 'new.person@example.com')
  assert.is(created.is_active, true)
  assert.not.ok('hashed_password' in created)
  const taken = await expectStatus(env, 'POST', '/api/users', admin, 409, {
    email: 'new.person@example.com',
    username: 'someone_else',
    password: 'a long password',
  })
  assert.is(taken.field, 'email')
  const login = await expectStatus(env, 'POST', '/api/auth/login', undefined, 200, {
    email: 'new.person@example.com',
    password: 'a long password',
  })
  const userToken = login.token as string
  const listed = await expectStatus(env, 'GET', '/api/users', admin, 200)
  assert.ok((listed.users as { id: string }[]).some((user) => user.id === created.id))

  const promoted = await expectStatus(env, 'PATCH', `/api/users/${created.id as string}`, admin, 200, {
    role: 'admin',
  })
  assert.is(promoted.role, 'admin')
  await expectStatus(env, 'GET', `/api/canvases/${a.canvasId}`, userToken, 200)
  await expectStatus(env, 'PATCH', `/api/users/${a.ids.orgAdmin}`, admin, 409, { role: 'member' })
  await expectStatus(env, 'DELETE', `/api/users/${a.ids.orgAdmin}`, admin, 409)

  const deactivated = await expectStatus(
    env,
    'POST',
    `/api/users/${created.id as string}/deactivate`,
    admin,
    200,
  )
  assert.is(deactivated.is_active, false)
  await expectStatus(env, 'GET', '/api/me', userToken, 401)
  await expectStatus(env, 'POST', '/api/auth/login', undefined, 401, {
    email: 'new.person@example.com',
    password: 'a long password',
  })
  const sessions = await env.metadata.db
    .selectFrom('sessions')
    .select('token_hash')
    .where('user_id', '=', created.id as string)
    .execute()
  assert.equal(sessions, [], 'every session of the user was revoked')
})

test('sessions: expired, revoked and malformed tokens get 401; the cookie works and logout clears it', async ({
  env,
  a,
}) => {
  const user = await insertUser(env, a.organizationId)
  const token = await sessionFor(env, user.id, a.organizationId)
  await expectStatus(env, 'GET', '/api/me', token, 200)
  await env.metadata.db
    .updateTable('sessions')
    .set({ expires_at: new Date(Date.now() - 1000) })
    .where('user_id', '=', user.id)
    .execute()
  await expectStatus(env, 'GET', '/api/me', token, 401)
  for (const bad of ['garbage', 'A'.repeat(43), `${token}x`, '']) {
    await expectStatus(env, 'GET', '/api/me', bad, 401)
  }

  const signup = await env.app.request('/api/auth/signup', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'cookie@example.com',
      username: 'cookie_user',
      password: 'a long password',
      organization: 'Cookie corp',
    }),
  })
  assert.is(signup.status, 201)
  const cookie = signup.headers.get('set-cookie') ?? ''
  assert.match(cookie, /^jabiru_session=[A-Za-z0-9_-]{43};/)
  assert.match(cookie, /HttpOnly/)
  assert.match(cookie, /SameSite=Strict/)
  assert.match(cookie, /Path=\//)
  const pair = cookie.split(';')[0] ?? ''
  const me = await env.app.request('/api/me', { headers: { cookie: pair } })
  assert.is(me.status, 200, 'the cookie authenticates')
  const logout = await env.app.request('/api/auth/logout', { method: 'POST', headers: { cookie: pair } })
  assert.is(logout.status, 204)
  assert.match(logout.headers.get('set-cookie') ?? '', /jabiru_session=;.*Max-Age=0/)
  assert.is((await env.app.request('/api/me', { headers: { cookie: pair } })).status, 401, 'revoked')
  const bearer = (await signup.json()) as { token: string }
  await expectStatus(env, 'GET', '/api/me', bearer.token, 401, undefined)
})

test('archiving a project hides its canvases; unarchiving restores them', async ({ env, a }) => {
  const admin = a.tokens.orgAdmin
  const project = await expectStatus(env, 'POST', '/api/projects', admin, 201, { name: 'to archive' })
  const path = `/api/projects/${project.id as string}`
  const canvas = await expectStatus(env, 'POST', `${path}/canvases`, admin, 201, { name: 'inside' })
  await expectStatus(env, 'PATCH', path, admin, 200, { is_archived: true })
  await expectStatus(env, 'GET', `/api/canvases/${canvas.id as string}`, admin, 404)
  assert.equal((await expectStatus(env, 'GET', `${path}/canvases`, admin, 200)).canvases, [])
  await expectStatus(env, 'POST', `${path}/canvases`, admin, 409, { name: 'no' })
  const active = await expectStatus(env, 'GET', '/api/projects', admin, 200)
  assert.not.ok((active.projects as { id: string }[]).some((p) => p.id === project.id))
  const all = await expectStatus(env, 'GET', '/api/projects?include_archived=true', admin, 200)
  assert.ok((all.projects as { id: string }[]).some((p) => p.id === project.id))
  await expectStatus(env, 'PATCH', path, admin, 200, { is_archived: false })
  await expectStatus(env, 'GET', `/api/canvases/${canvas.id as string}`, admin, 200)
})

test('project list shows members their projects with their role; non-members see none of them', async ({
  env,
  a,
}) => {
  const roles = async (token: string) => {
    const body = await expectStatus(env, 'GET', '/api/projects', token, 200)
    return (body.projects as { id: string; role: string }[]).find((p) => p.id === a.projectId)?.role ?? null
  }
  assert.is(await roles(a.tokens.orgAdmin), 'admin')
  assert.is(await roles(a.tokens.projAdmin), 'admin')
  assert.is(await roles(a.tokens.editor), 'editor')
  assert.is(await roles(a.tokens.viewer), 'viewer')
  assert.is(await roles(a.tokens.outsider), null)
})

test('canvas rename reaches the document; deletion is soft and final for readers', async ({ env, a }) => {
  const admin = a.tokens.orgAdmin
  const canvas = await expectStatus(env, 'POST', `/api/projects/${a.projectId}/canvases`, admin, 201, {
    name: 'before',
  })
  const path = `/api/canvases/${canvas.id as string}`
  const renamed = await expectStatus(env, 'PATCH', path, a.tokens.editor, 200, {
    name: 'after',
    description: 'd',
  })
  assert.is(renamed.name, 'after')
  const read = await expectStatus(env, 'GET', path, a.tokens.viewer, 200)
  assert.equal((read.document as { name: string; description: string }).name, 'after')
  assert.equal((read.document as { name: string; description: string }).description, 'd')
  await expectStatus(env, 'DELETE', path, a.tokens.projAdmin, 204)
  await expectStatus(env, 'GET', path, admin, 404)
  await expectStatus(env, 'DELETE', path, admin, 404)
  const row = await env.metadata.db
    .selectFrom('canvases')
    .select('deleted_at')
    .where('id', '=', canvas.id as string)
    .executeTakeFirstOrThrow()
  assert.ok(row.deleted_at instanceof Date, 'the row stays (retention), marked deleted')
})

test('validation: every body, param and query is checked; 400 names the field', async ({ env, a }) => {
  const admin = a.tokens.orgAdmin
  const cases: Array<[string, string, unknown, string]> = [
    [
      'POST',
      '/api/users',
      { email: 'x@example.com', username: 'xx', password: 'long enough', role: 'god' },
      'role',
    ],
    ['POST', '/api/users', { email: 'nope', username: 'xx', password: 'long enough' }, 'email'],
    ['PATCH', `/api/users/${a.spareMemberId}`, {}, 'body'],
    ['PATCH', `/api/projects/${a.projectId}`, { is_archived: 'yes' }, 'is_archived'],
    ['PATCH', `/api/projects/${a.projectId}`, {}, 'body'],
    ['POST', `/api/projects/${a.projectId}/members`, { user_id: 'me', role: 'viewer' }, 'user_id'],
    ['POST', `/api/projects/${a.projectId}/members`, { user_id: a.ids.outsider, role: 'owner' }, 'role'],
    ['PATCH', `/api/projects/${a.projectId}/members/${a.spareMemberId}`, { role: 'boss' }, 'role'],
    ['PATCH', `/api/canvases/${a.canvasId}`, { name: '' }, 'name'],
    [
      'PUT',
      `/api/canvases/${a.canvasId}/sharing`,
      { visibility: 'open', permissions: [], public_link: false },
      'visibility',
    ],
    [
      'PUT',
      `/api/canvases/${a.canvasId}/sharing`,
      { visibility: 'team', permissions: [], public_link: 'yes' },
      'public_link',
    ],
    [
      'PUT',
      `/api/canvases/${a.canvasId}/sharing`,
      {
        visibility: 'team',
        permissions: [
          { user_id: a.ids.viewer, role: 'viewer' },
          { user_id: a.ids.viewer, role: 'editor' },
        ],
        public_link: false,
      },
      'permissions',
    ],
    ['GET', '/api/audit-logs?limit=0', undefined, 'limit'],
    ['GET', '/api/audit-logs?from=yesterday', undefined, 'from'],
    ['GET', '/api/audit-logs?user_id=me', undefined, 'user_id'],
    ['GET', '/api/audit-logs?cursor=bm9wZQ', undefined, 'cursor'],
    ['GET', '/api/projects?include_archived=maybe', undefined, 'include_archived'],
    ['GET', `/api/canvases/${a.canvasId}?link=short`, undefined, 'link'],
  ]
  for (const [method, path, body, field] of cases) {
    const response = await call(env.app, method, path, { token: admin, body })
    assert.is(response.status, 400, `${method} ${path}: ${JSON.stringify(response.body)}`)
    assert.is(response.body.field, field, `${method} ${path}`)
  }
  // Malformed ids look like unknown ids.
  for (const path of ['/api/projects/nope', '/api/canvases/nope/sharing', '/api/users/nope']) {
    assert.is((await call(env.app, 'PATCH', path, { token: admin, body: { name: 'x' } })).status, 404, path)
  }
})

test.run()
