import { randomBytes } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createInProcessApp } from './support/in-process.ts'
import { expectStatus, type InProcessEnv, insertUser, sessionFor, unique } from './support/org-fixture.ts'

/** Small limits so the suite reaches them quickly; every test acts from its own client IPs. */
const LIMITS = { userPerMinute: 30, ipPerMinute: 10, loginPerAccountPerMinute: 3 } as const
const USER_AGENT = 'audit-test/1.0'

const test = suite<{ env: InProcessEnv }>('audit logs and rate limits (in-process)')

test.before(async (context) => {
  context.env = await createInProcessApp({ limits: LIMITS, trustProxy: true })
})

test.after(async (context) => {
  await context.env.close()
})

const randomIp = () => `10.${[1, 2, 3].map(() => randomBytes(1)[0] ?? 0).join('.')}`

interface Reply {
  readonly status: number
  readonly body: Record<string, unknown>
  readonly headers: Headers
}

/** A request from a given client IP (X-Forwarded-For, trusted in this app) and User-Agent. */
async function request(
  env: InProcessEnv,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; ip?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {
    'x-forwarded-for': options.ip ?? randomIp(),
    'user-agent': USER_AGENT,
  }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  const response = await env.app.request(path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  })
  const text = await response.text()
  return {
    status: response.status,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    headers: response.headers,
  }
}

function assertRateLimited(reply: Reply, what: string): void {
  assert.is(reply.status, 429, what)
  const retryAfter = Number(reply.headers.get('retry-after'))
  assert.ok(
    Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
    `${what}: Retry-After ${retryAfter}`,
  )
  assert.type(reply.body.error, 'string')
}

async function signup(env: InProcessEnv, label: string) {
  const name = unique(label)
  const reply = await request(env, 'POST', '/api/auth/signup', {
    body: { email: `${name}@example.com`, username: name, password: 'a long password', organization: name },
  })
  assert.is(reply.status, 201, JSON.stringify(reply.body))
  return {
    email: `${name}@example.com`,
    token: reply.body.token as string,
    userId: (reply.body.user as { id: string }).id,
    organizationId: (reply.body.organization as { id: string }).id,
  }
}

test('per user and per endpoint: 429 with Retry-After past the limit; ids in paths share one counter', async ({
  env,
}) => {
  const owner = await signup(env, 'limited')
  const other = await sessionFor(env, (await insertUser(env, owner.organizationId)).id, owner.organizationId)
  for (let i = 0; i < LIMITS.userPerMinute; i++) {
    assert.is((await request(env, 'GET', '/api/me', { token: owner.token })).status, 200, `request ${i}`)
  }
  assertRateLimited(await request(env, 'GET', '/api/me', { token: owner.token }), 'over the limit')
  assert.is(
    (await request(env, 'GET', '/api/projects', { token: owner.token })).status,
    200,
    'other endpoint',
  )
  assert.is((await request(env, 'GET', '/api/me', { token: other })).status, 200, 'other user')

  for (let i = 0; i < LIMITS.userPerMinute; i++) {
    const reply = await request(env, 'GET', `/api/canvases/${crypto.randomUUID()}`, { token: other })
    assert.is(reply.status, 404)
  }
  assertRateLimited(
    await request(env, 'GET', `/api/canvases/${crypto.randomUUID()}`, { token: other }),
    'a new id does not get a new counter',
  )
})

test('per IP before sign-in: signup and login are limited per client address', async ({ env }) => {
  const ip = randomIp()
  for (let i = 0; i < LIMITS.ipPerMinute; i++) {
    // Refused bodies count too: the limit comes before anything else.
    assert.is((await request(env, 'POST', '/api/auth/signup', { ip, body: {} })).status, 400)
  }
  assertRateLimited(await request(env, 'POST', '/api/auth/signup', { ip, body: {} }), 'signup from one IP')
  assert.is((await request(env, 'POST', '/api/auth/signup', { body: {} })).status, 400, 'another IP')

  const loginIp = randomIp()
  for (let i = 0; i < LIMITS.ipPerMinute; i++) {
    const body = { email: `${unique('nobody')}@example.com`, password: 'wrong password' }
    assert.is((await request(env, 'POST', '/api/auth/login', { ip: loginIp, body })).status, 401)
  }
  assertRateLimited(
    await request(env, 'POST', '/api/auth/login', {
      ip: loginIp,
      body: { email: 'someone@example.com', password: 'x' },
    }),
    'login attempts from one IP, whatever the account',
  )
})

test('per account: login attempts are limited whatever the IP, even with the right password', async ({
  env,
}) => {
  const victim = await signup(env, 'victim')
  for (let i = 0; i < LIMITS.loginPerAccountPerMinute; i++) {
    const reply = await request(env, 'POST', '/api/auth/login', {
      body: { email: victim.email, password: `guess ${i}` },
    })
    assert.is(reply.status, 401)
  }
  assertRateLimited(
    await request(env, 'POST', '/api/auth/login', {
      body: { email: victim.email, password: 'a long password' },
    }),
    'the account is locked for the window',
  )
  const bystander = await signup(env, 'bystander')
  const ok = await request(env, 'POST', '/api/auth/login', {
    body: { email: bystander.email, password: 'a long password' },
  })
  assert.is(ok.status, 200, 'other accounts are not affected')
})

interface AuditEntry {
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

async function auditLog(env: InProcessEnv, token: string, query = ''): Promise<AuditEntry[]> {
  await env.audit.flush()
  const reply = await request(env, 'GET', `/api/audit-logs?limit=500${query}`, { token })
  assert.is(reply.status, 200, JSON.stringify(reply.body))
  return reply.body.entries as AuditEntry[]
}

test('every audited action writes a row with who, what, IP and User-Agent', async ({ env }) => {
  const ip = randomIp()
  const admin = await signup(env, 'auditor')
  const token = admin.token
  const call = async (method: string, path: string, body: unknown, status: number) => {
    const reply = await request(env, method, path, { token, body, ip })
    assert.is(reply.status, status, `${method} ${path}: ${JSON.stringify(reply.body)}`)
    return reply.body
  }
  const name = unique('member')
  const user = await call(
    'POST',
    '/api/users',
    { email: `${name}@example.com`, username: name, password: 'a long password', role: 'member' },
    201,
  )
  const userId = user.id as string
  await call('PATCH', `/api/users/${userId}`, { first_name: 'Audited' }, 200)
  const login = await request(env, 'POST', '/api/auth/login', {
    ip,
    body: { email: `${name}@example.com`, password: 'a long password' },
  })
  assert.is(login.status, 200)
  assert.is(
    (
      await request(env, 'POST', '/api/auth/login', {
        ip,
        body: { email: `${name}@example.com`, password: 'not the password' },
      })
    ).status,
    401,
  )
  assert.is(
    (await request(env, 'POST', '/api/auth/logout', { ip, token: login.body.token as string })).status,
    204,
  )
  const project = await call('POST', '/api/projects', { name: 'audited' }, 201)
  const projectId = project.id as string
  await call('PATCH', `/api/projects/${projectId}`, { name: 'audited 2' }, 200)
  await call('POST', `/api/projects/${projectId}/members`, { user_id: userId, role: 'viewer' }, 201)
  await call('PATCH', `/api/projects/${projectId}/members/${userId}`, { role: 'editor' }, 200)
  const canvas = await call('POST', `/api/projects/${projectId}/canvases`, { name: 'audited canvas' }, 201)
  const canvasId = canvas.id as string
  await call('PATCH', `/api/canvases/${canvasId}`, { name: 'renamed' }, 200)
  await call(
    'PUT',
    `/api/canvases/${canvasId}/sharing`,
    { visibility: 'team', permissions: [{ user_id: userId, role: 'admin' }], public_link: true },
    200,
  )
  await call('DELETE', `/api/projects/${projectId}/members/${userId}`, undefined, 204)
  await call('DELETE', `/api/canvases/${canvasId}`, undefined, 204)
  await call('PATCH', `/api/projects/${projectId}`, { is_archived: true }, 200)
  await call('DELETE', `/api/users/${userId}`, undefined, 200)

  const entries = await auditLog(env, token)
  const find = (action: string, resourceId: string | null) => {
    const entry = entries.find((e) => e.action === action && e.resource_id === resourceId)
    assert.ok(entry, `an audit row for ${action} on ${resourceId}`)
    return entry as AuditEntry
  }
  const expectations: Array<[string, string | null, string | null, string]> = [
    ['auth.signup', admin.userId, admin.userId, 'user'],
    ['user.create', userId, admin.userId, 'user'],
    ['user.update', userId, admin.userId, 'user'],
    ['auth.login', userId, userId, 'user'],
    ['auth.login_failed', userId, userId, 'user'],
    ['auth.logout', userId, userId, 'user'],
    ['project.create', projectId, admin.userId, 'project'],
    ['project.update', projectId, admin.userId, 'project'],
    ['project.member_add', projectId, admin.userId, 'project'],
    ['project.member_update', projectId, admin.userId, 'project'],
    ['project.member_remove', projectId, admin.userId, 'project'],
    ['project.archive', projectId, admin.userId, 'project'],
    ['canvas.create', canvasId, admin.userId, 'canvas'],
    ['canvas.update', canvasId, admin.userId, 'canvas'],
    ['canvas.sharing_update', canvasId, admin.userId, 'canvas'],
    ['canvas.delete', canvasId, admin.userId, 'canvas'],
    ['user.deactivate', userId, admin.userId, 'user'],
  ]
  for (const [action, resourceId, actor, resourceType] of expectations) {
    const entry = find(action, resourceId)
    assert.is(entry.user_id, actor, `${action}: actor`)
    assert.is(entry.organization_id, admin.organizationId, `${action}: organization`)
    assert.is(entry.resource_type, resourceType, `${action}: resource type`)
    if (action !== 'auth.signup') assert.is(entry.ip_address, ip, `${action}: IP`)
    assert.is(entry.user_agent, USER_AGENT, `${action}: User-Agent`)
  }
  assert.equal(find('project.member_update', projectId).changes, {
    user_id: userId,
    role: { from: 'viewer', to: 'editor' },
  })
  assert.equal(find('canvas.update', canvasId).changes, { name: { from: 'audited canvas', to: 'renamed' } })
  const sharing = find('canvas.sharing_update', canvasId).changes
  assert.equal(sharing?.visibility, { from: 'private', to: 'team' })
  assert.equal(sharing?.public_link, { from: false, to: true })
  assert.equal((sharing?.grants as Record<string, unknown> | undefined)?.[userId], {
    from: null,
    to: 'admin',
  })
  assert.is(find('auth.login_failed', userId).changes?.reason, 'invalid_credentials')
  assert.not.match(JSON.stringify(entries), 'a long password', 'no password in audit rows')
  assert.not.match(JSON.stringify(entries), 'not the password')
})

test('failed logins of unknown emails and rate-limited attempts are audited too', async ({ env }) => {
  const admin = await signup(env, 'watcher')
  const email = `${unique('ghost')}@example.com`
  assert.is((await request(env, 'POST', '/api/auth/login', { body: { email, password: 'x' } })).status, 401)
  await env.audit.flush()
  const row = await env.metadata.db
    .selectFrom('audit_logs')
    .selectAll()
    .where('action', '=', 'auth.login_failed')
    .where('user_id', 'is', null)
    .execute()
  assert.ok(
    row.some((entry) => entry.changes?.email === email && entry.changes?.reason === 'invalid_credentials'),
  )

  for (let i = 0; i <= LIMITS.loginPerAccountPerMinute; i++) {
    await request(env, 'POST', '/api/auth/login', { body: { email: admin.email, password: `guess ${i}` } })
  }
  const own = await auditLog(env, admin.token, '&action=auth.login_failed')
  assert.ok(own.some((entry) => entry.changes?.reason === 'rate_limited'))
  assert.ok(own.every((entry) => entry.user_id === admin.userId))
})

test('audit log: admins only; filters by user, action, resource and time; cursor pages cover all rows once', async ({
  env,
}) => {
  const admin = await signup(env, 'pager')
  const member = await sessionFor(env, (await insertUser(env, admin.organizationId)).id, admin.organizationId)
  await expectStatus(env, 'GET', '/api/audit-logs', member, 403)
  const projectIds: string[] = []
  for (let i = 0; i < 7; i++) {
    const project = await request(env, 'POST', '/api/projects', {
      token: admin.token,
      body: { name: `p${i}` },
    })
    projectIds.push(project.body.id as string)
  }
  const all = await auditLog(env, admin.token)
  assert.is(all.length, 8, 'signup + 7 project creations')
  const times = all.map((entry) => entry.created_at)
  assert.equal(times, [...times].sort().reverse(), 'newest first')

  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const query: string = `/api/audit-logs?limit=3${cursor === null ? '' : `&cursor=${cursor}`}`
    const reply = await request(env, 'GET', query, { token: admin.token })
    assert.is(reply.status, 200)
    seen.push(...(reply.body.entries as AuditEntry[]).map((entry) => entry.id))
    cursor = reply.body.next_cursor as string | null
    pages++
  } while (cursor !== null)
  assert.is(pages, 3)
  assert.equal(
    seen,
    all.map((entry) => entry.id),
    'pages follow the same order, without gaps or repeats',
  )

  const byAction = await auditLog(env, admin.token, '&action=project.create')
  assert.is(byAction.length, 7)
  const third = projectIds[2] ?? ''
  const byResource = await auditLog(env, admin.token, `&resource_type=project&resource_id=${third}`)
  assert.equal(
    byResource.map((entry) => entry.resource_id),
    [third],
  )
  const byUser = await auditLog(env, admin.token, `&user_id=${admin.userId}`)
  assert.is(byUser.length, 8)
  const middle = all[3]?.created_at ?? ''
  const older = await auditLog(env, admin.token, `&to=${encodeURIComponent(middle)}`)
  assert.ok(older.every((entry) => entry.created_at < middle))
  const newer = await auditLog(env, admin.token, `&from=${encodeURIComponent(middle)}`)
  assert.ok(newer.every((entry) => entry.created_at >= middle))
  assert.is(older.length + newer.length, all.length)
})

test.run()
