import { randomBytes } from 'node:crypto'

/** A thin REST client for tests: throws with the response body on unexpected statuses. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token: string | null = null,
  ) {}

  withToken(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token)
  }

  async raw(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token === null ? {} : { authorization: `Bearer ${this.token}` }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  }

  async json<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    expected = 200,
  ): Promise<T> {
    const response = await this.raw(method, path, body)
    const text = await response.text()
    if (response.status !== expected) {
      throw new Error(`${method} ${path}: expected ${expected}, got ${response.status}: ${text}`)
    }
    return JSON.parse(text) as T
  }
}

export interface TestWorkspace {
  readonly api: ApiClient
  readonly email: string
  readonly password: string
  readonly token: string
  readonly userId: string
  readonly organizationId: string
  readonly projectId: string
  readonly canvasId: string
}

/** Signs up a fresh user and organization, creates a project and a canvas. */
export async function createWorkspace(baseUrl: string, name = 'ws'): Promise<TestWorkspace> {
  const suffix = randomBytes(4).toString('hex')
  const email = `${name}-${suffix}@example.com`
  const password = 'correct horse battery'
  const anonymous = new ApiClient(baseUrl)
  const signup = await anonymous.json<{ token: string; user: { id: string }; organization: { id: string } }>(
    'POST',
    '/api/auth/signup',
    {
      email,
      username: `${name}_${suffix}`,
      password,
      organization: `Org ${suffix}`,
    },
    201,
  )
  const api = anonymous.withToken(signup.token)
  const project = await api.json<{ id: string }>('POST', '/api/projects', { name: 'Project' }, 201)
  const canvas = await api.json<{ id: string }>(
    'POST',
    `/api/projects/${project.id}/canvases`,
    { name: 'Canvas' },
    201,
  )
  return {
    api,
    email,
    password,
    token: signup.token,
    userId: signup.user.id,
    organizationId: signup.organization.id,
    projectId: project.id,
    canvasId: canvas.id,
  }
}

export interface TestMember {
  readonly api: ApiClient
  readonly token: string
  readonly userId: string
}

/** Adds a user to the workspace's organization (as its admin) and to its project with `role`, then logs in. */
export async function addProjectMember(
  ws: TestWorkspace,
  role: 'viewer' | 'editor' | 'admin',
  name: string = role,
): Promise<TestMember> {
  const suffix = randomBytes(4).toString('hex')
  const email = `${name}-${suffix}@example.com`
  const password = 'member password 1'
  const user = await ws.api.json<{ id: string }>(
    'POST',
    '/api/users',
    { email, username: `${name}_${suffix}`, password, role: 'member' },
    201,
  )
  await ws.api.json('POST', `/api/projects/${ws.projectId}/members`, { user_id: user.id, role }, 201)
  const login = await new ApiClient(ws.api.baseUrl).json<{ token: string }>('POST', '/api/auth/login', {
    email,
    password,
  })
  return { api: ws.api.withToken(login.token), token: login.token, userId: user.id }
}
