import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { call, createInProcessApp } from './support/in-process.ts'

type Ctx = Awaited<ReturnType<typeof createInProcessApp>>
const test = suite<{ env: Ctx }>('REST API (in-process, app.request)')

test.before(async (context) => {
  context.env = await createInProcessApp()
})
test.after(async (context) => {
  await context.env.close()
})

const signupBody = (name: string) => ({
  email: `${name}@example.com`,
  username: name,
  password: 'a long password',
  organization: `${name} corp`,
})

test('signup -> login -> me, with the password never returned', async ({ env }) => {
  const signup = await call(env.app, 'POST', '/api/auth/signup', { body: signupBody('ann') })
  assert.is(signup.status, 201)
  assert.type(signup.body.token, 'string')
  assert.not.match(JSON.stringify(signup.body), 'a long password')
  assert.not.ok('hashed_password' in (signup.body.user as object))
  assert.is((signup.body.user as { role: string }).role, 'admin')

  const login = await call(env.app, 'POST', '/api/auth/login', {
    body: { email: 'ANN@example.com', password: 'a long password' },
  })
  assert.is(login.status, 200, 'emails are case-insensitive')
  const me = await call(env.app, 'GET', '/api/me', { token: login.body.token as string })
  assert.is(me.status, 200)
  assert.is((me.body.user as { username: string }).username, 'ann')
  assert.is((me.body.organization as { name: string }).name, 'ann corp')
})

test('bad input gets 400 naming the field; duplicates 409; bad credentials 401', async ({ env }) => {
  const cases: Array<[unknown, string]> = [
    [{ ...signupBody('bob'), email: 'not-an-email' }, 'email'],
    [{ ...signupBody('bob'), password: 'short' }, 'password'],
    [{ ...signupBody('bob'), username: 'has spaces' }, 'username'],
    [{ email: 'bob@example.com' }, 'username'],
  ]
  for (const [body, field] of cases) {
    const response = await call(env.app, 'POST', '/api/auth/signup', { body })
    assert.is(response.status, 400, JSON.stringify(body))
    assert.is(response.body.field, field)
    assert.match(response.body.error as string, field)
  }
  const notJson = await call(env.app, 'POST', '/api/auth/signup', { rawBody: '{oops' })
  assert.is(notJson.status, 400)
  assert.match(notJson.body.error as string, 'JSON')

  assert.is((await call(env.app, 'POST', '/api/auth/signup', { body: signupBody('cat') })).status, 201)
  const again = await call(env.app, 'POST', '/api/auth/signup', {
    body: { ...signupBody('cat'), username: 'cat2' },
  })
  assert.is(again.status, 409)
  assert.is(again.body.field, 'email')

  const wrong = await call(env.app, 'POST', '/api/auth/login', {
    body: { email: 'cat@example.com', password: 'nope' },
  })
  assert.is(wrong.status, 401)
  const unknown = await call(env.app, 'POST', '/api/auth/login', {
    body: { email: 'nobody@example.com', password: 'x' },
  })
  assert.is(unknown.status, 401)
  assert.equal(wrong.body, unknown.body, 'unknown emails and wrong passwords look the same')
})

test('missing, malformed and revoked tokens get 401', async ({ env }) => {
  assert.is((await call(env.app, 'GET', '/api/me')).status, 401)
  assert.is((await call(env.app, 'GET', '/api/me', { token: 'garbage' })).status, 401)
  const signup = await call(env.app, 'POST', '/api/auth/signup', { body: signupBody('dan') })
  const token = signup.body.token as string
  assert.is((await call(env.app, 'GET', '/api/me', { token })).status, 200)
  await env.auth.revoke(token)
  assert.is((await call(env.app, 'GET', '/api/me', { token })).status, 401)
})

test('projects and canvases: create, read with the live document, 404 across organizations', async ({
  env,
}) => {
  const owner = await call(env.app, 'POST', '/api/auth/signup', { body: signupBody('eve') })
  const token = owner.body.token as string
  const project = await call(env.app, 'POST', '/api/projects', {
    token,
    body: { name: 'Sales', description: 'Q4' },
  })
  assert.is(project.status, 201)
  const projectId = project.body.id as string
  const canvas = await call(env.app, 'POST', `/api/projects/${projectId}/canvases`, {
    token,
    body: { name: 'Q4 Sales Analysis', description: 'Analysis of Q4' },
  })
  assert.is(canvas.status, 201)
  const canvasId = canvas.body.id as string
  const read = await call(env.app, 'GET', `/api/canvases/${canvasId}`, { token })
  assert.is(read.status, 200)
  assert.is(read.body.role, 'admin')
  const document = read.body.document as {
    name: string
    description: string
    layout: { columns: number }
    blocks: []
  }
  assert.is(document.name, 'Q4 Sales Analysis')
  assert.is(document.description, 'Analysis of Q4')
  assert.is(document.layout.columns, 12)
  assert.equal(document.blocks, [])

  const stranger = await call(env.app, 'POST', '/api/auth/signup', { body: signupBody('mallory') })
  const other = stranger.body.token as string
  assert.is((await call(env.app, 'GET', `/api/canvases/${canvasId}`, { token: other })).status, 404)
  assert.is((await call(env.app, 'GET', `/api/projects/${projectId}`, { token: other })).status, 404)
  const foreignCreate = await call(env.app, 'POST', `/api/projects/${projectId}/canvases`, {
    token: other,
    body: { name: 'x' },
  })
  assert.is(foreignCreate.status, 404)
  assert.is((await call(env.app, 'GET', '/api/canvases/not-a-uuid', { token })).status, 404)
  assert.is(
    (await call(env.app, 'POST', `/api/projects/${projectId}/canvases`, { token, body: {} })).status,
    400,
  )
})

test('health and readiness', async ({ env }) => {
  assert.is((await call(env.app, 'GET', '/healthz')).status, 200)
  const ready = await call(env.app, 'GET', '/readyz')
  assert.is(ready.status, 200)
  assert.is(ready.body.status, 'ready')
  assert.is((await call(env.app, 'GET', '/nope')).status, 404)
})

test("every response says the server's own time (Server-Timing), errors too", async ({ env }) => {
  for (const path of ['/healthz', '/api/users/me', '/nope']) {
    const response = await env.app.request(path)
    assert.match(response.headers.get('server-timing') ?? '', /^total;dur=\d+(\.\d+)?;desc="server"$/, path)
  }
})

test.run()
