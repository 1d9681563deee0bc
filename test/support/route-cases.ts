import { call } from './in-process.ts'
import { type InProcessEnv, insertUser, type OrgFixture, unique } from './org-fixture.ts'

/** What a route requires of the caller. */
export type Need = 'signed-in' | 'viewer' | 'editor' | 'admin' | 'org-admin'

export interface PreparedRequest {
  readonly method: string
  readonly path: string
  readonly body?: unknown
}

export interface RouteCase {
  readonly route: string
  readonly need: Need
  /** Status of a successful call. */
  readonly ok: number
  /** Whether the path (or body) names a resource of the target organization (IDOR candidates). */
  readonly targetsIds: boolean
  /**
   * Builds one request against organization `org`. Requests that consume what they act on (delete, add a member)
   * get fresh resources, so that a success never changes what later calls see.
   */
  prepare(env: InProcessEnv, org: OrgFixture): Promise<PreparedRequest>
}

async function freshCanvas(env: InProcessEnv, org: OrgFixture): Promise<string> {
  const canvas = await env.metadata.createCanvas({
    projectId: org.projectId,
    ownerId: org.ids.orgAdmin,
    name: unique('fresh'),
    description: null,
  })
  return canvas.id
}

async function freshMember(env: InProcessEnv, org: OrgFixture): Promise<string> {
  const user = await insertUser(env, org.organizationId)
  await env.metadata.db
    .insertInto('project_members')
    .values({ project_id: org.projectId, user_id: user.id, role: 'viewer', permissions: '{}' })
    .execute()
  return user.id
}

/** A new version of the organization's canvas C (named, so one is made even without edits); its number. */
async function freshVersion(env: InProcessEnv, org: OrgFixture): Promise<number> {
  const created = await call(env.app, 'POST', `/api/canvases/${org.canvasId}/versions`, {
    token: org.tokens.orgAdmin,
    body: { label: unique('version') },
  })
  if (created.status !== 201) throw new Error(`could not create a version: ${created.status}`)
  return created.body.version as number
}

/** A new comment on canvas C by the org admin; its id. */
async function freshComment(env: InProcessEnv, org: OrgFixture): Promise<string> {
  const created = await call(env.app, 'POST', `/api/canvases/${org.canvasId}/comments`, {
    token: org.tokens.orgAdmin,
    body: { body: unique('comment') },
  })
  if (created.status !== 201) throw new Error(`could not create a comment: ${created.status}`)
  return created.body.id as string
}

/** A new private template of the organization; its id. */
async function freshTemplate(env: InProcessEnv, org: OrgFixture): Promise<string> {
  const created = await call(env.app, 'POST', '/api/templates', {
    token: org.tokens.orgAdmin,
    body: { name: unique('template'), blocks: [] },
  })
  if (created.status !== 201) throw new Error(`could not create a template: ${created.status}`)
  return created.body.id as string
}

const fixed =
  (method: string, path: (org: OrgFixture) => string, body?: unknown) =>
  async (_env: InProcessEnv, org: OrgFixture): Promise<PreparedRequest> => ({ method, path: path(org), body })

/** Every REST route behind authentication (logout is tested on its own: it ends the caller's session). */
export const ROUTE_CASES: readonly RouteCase[] = [
  {
    route: 'GET /api/me',
    need: 'signed-in',
    ok: 200,
    targetsIds: false,
    prepare: fixed('GET', () => '/api/me'),
  },
  {
    route: 'GET /api/projects',
    need: 'signed-in',
    ok: 200,
    targetsIds: false,
    prepare: fixed('GET', () => '/api/projects?include_archived=true'),
  },
  {
    route: 'POST /api/projects',
    need: 'signed-in',
    ok: 201,
    targetsIds: false,
    prepare: fixed('POST', () => '/api/projects', { name: 'made by a matrix' }),
  },
  {
    route: 'GET /api/projects/:projectId',
    need: 'viewer',
    ok: 200,
    targetsIds: true,
    prepare: fixed('GET', (org) => `/api/projects/${org.projectId}`),
  },
  {
    route: 'PATCH /api/projects/:projectId',
    need: 'admin',
    ok: 200,
    targetsIds: true,
    prepare: fixed('PATCH', (org) => `/api/projects/${org.projectId}`, { description: 'changed' }),
  },
  {
    route: 'GET /api/projects/:projectId/members',
    need: 'viewer',
    ok: 200,
    targetsIds: true,
    prepare: fixed('GET', (org) => `/api/projects/${org.projectId}/members`),
  },
  {
    route: 'POST /api/projects/:projectId/members',
    need: 'admin',
    ok: 201,
    targetsIds: true,
    prepare: async (env, org) => ({
      method: 'POST',
      path: `/api/projects/${org.projectId}/members`,
      body: { user_id: (await insertUser(env, org.organizationId)).id, role: 'viewer' },
    }),
  },
  {
    route: 'PATCH /api/projects/:projectId/members/:userId',
    need: 'admin',
    ok: 200,
    targetsIds: true,
    prepare: fixed('PATCH', (org) => `/api/projects/${org.projectId}/members/${org.spareMemberId}`, {
      role: 'viewer',
    }),
  },
  {
    route: 'DELETE /api/projects/:projectId/members/:userId',
    need: 'admin',
    ok: 204,
    targetsIds: true,
    prepare: async (env, org) => ({
      method: 'DELETE',
      path: `/api/projects/${org.projectId}/members/${await freshMember(env, org)}`,
    }),
  },
  {
    route: 'GET /api/projects/:projectId/canvases',
    need: 'viewer',
    ok: 200,
    targetsIds: true,
    prepare: fixed('GET', (org) => `/api/projects/${org.projectId}/canvases`),
  },
  {
    route: 'POST /api/projects/:projectId/canvases',
    need: 'editor',
    ok: 201,
    targetsIds: true,
    prepare: fixed('POST', (org) => `/api/projects/${org.projectId}/canvases`, { name: 'made by a matrix' }),
  },
  {
    route: 'GET /api/projects/:projectId/presence',
    need: 'viewer',
    ok: 200,
    targetsIds: true,
    prepare: fixed('GET', (org) => `/api/projects/${org.projectId}/presence`),
  },
  {
    route: 'GET /api/canvases/:canvasId',
    need: 'viewer',
    ok: 200,
    targetsIds: true,
    prepare: fixed('GET', (org) => `/api/canvases/${org.canvasId}`),
  },
  {
    route: 'PATCH /api/canvases/:canvasId',
    need: 'editor',
    ok: 200,
    targetsIds: true,
    prepare: fixed('PATCH', (org) => `/api/canvases/${org.canvasId}`, { description: 'changed' }),
  },
  {
    route: 'DELETE /api/canvases/:canvasId',
    need: 'admin',
    ok: 204,
    targetsIds: true,
    prepare: async (env, org) => ({ method: 'DELETE', path: `/api/canvases/${await freshCanvas(env, org)}` }),
  },
  {
    route: 'GET /api/canvases/:canvasId/sharing',
    need: 'admin',
    ok: 200,
    targetsIds: true,
    prepare: fixed('GET', (org) => `/api/canvases/${org.canvasId}/sharing`),
  },
  {
    route: 'PUT /api/canvases/:canvasId/sharing',
    need: 'admin',
    ok: 200,
    targetsIds: true,
    prepare: async (env, org) => ({
      method: 'PUT',
      path: `/api/canvases/${await freshCanvas(env, org)}/sharing`,
      body: { visibility: 'team', permissions: [], public_link: true },
    }),
  },
  {
    route: 'GET /api/canvases/:canvasId/presence',
    need: 'viewer',
    ok: 200,
    targetsIds: true,
    prepare: fixed('GET', (org) => `/api/canvases/${org.canvasId}/presence`),
  },
  {
    route: 'GET /api/canvases/:canvasId/locks',
    need: 'viewer',
    ok: 200,
    targetsIds: true,
    prepare: fixed('GET', (org) => `/api/canvases/${org.canvasId}/locks`),
  },
  {
    route: 'POST /api/canvases/:canvasId/locks/:blockId',
    need: 'editor',
    ok: 201,
    targetsIds: true,
    prepare: async (_env, org) => ({
      method: 'POST',
      path: `/api/canvases/${org.canvasId}/locks/${unique('block')}`,
    }),
  },
  {
    route: 'DELETE /api/canvases/:canvasId/locks/:blockId',
    need: 'admin',
    ok: 200,
    targetsIds: true,
    // Breaking a lease (force) is the canvas admins' way to release another user's lock.
    prepare: async (env, org) => {
      const blockId = unique('block')
      const path = `/api/canvases/${org.canvasId}/locks/${blockId}`
      const held = await call(env.app, 'POST', path, { token: org.tokens.editor })
      if (held.status !== 201) throw new Error(`could not take a lock to break: ${held.status}`)
      return { method: 'DELETE', path: `${path}?force=true` }
    },
  },
  {
    route: 'GET /api/canvases/:canvasId/versions',
    need: 'viewer',
    ok: 200,
    targetsIds: true,
    prepare: fixed('GET', (org) => `/api/canvases/${org.canvasId}/versions`),
  },
  {
    route: 'POST /api/canvases/:canvasId/versions',
    need: 'editor',
    ok: 201,
    targetsIds: true,
    prepare: fixed('POST', (org) => `/api/canvases/${org.canvasId}/versions`, { label: 'by a matrix' }),
  },
  {
    route: 'GET /api/canvases/:canvasId/versions/:version',
    need: 'viewer',
    ok: 200,
    targetsIds: true,
    prepare: async (env, org) => ({
      method: 'GET',
      path: `/api/canvases/${org.canvasId}/versions/${await freshVersion(env, org)}`,
    }),
  },
  {
    route: 'GET /api/canvases/:canvasId/versions/:version/ydoc',
    need: 'viewer',
    ok: 200,
    targetsIds: true,
    prepare: async (env, org) => ({
      method: 'GET',
      path: `/api/canvases/${org.canvasId}/versions/${await freshVersion(env, org)}/ydoc`,
    }),
  },
  {
    route: 'POST /api/canvases/:canvasId/versions/:version/restore',
    need: 'editor',
    ok: 200,
    targetsIds: true,
    prepare: async (env, org) => ({
      method: 'POST',
      path: `/api/canvases/${org.canvasId}/versions/${await freshVersion(env, org)}/restore`,
    }),
  },
  {
    route: 'GET /api/canvases/:canvasId/diff',
    need: 'viewer',
    ok: 200,
    targetsIds: true,
    prepare: async (env, org) => ({
      method: 'GET',
      path: `/api/canvases/${org.canvasId}/diff?from=0&to=${await freshVersion(env, org)}`,
    }),
  },
  {
    route: 'GET /api/canvases/:canvasId/replay',
    need: 'viewer',
    ok: 200,
    targetsIds: true,
    prepare: async (env, org) => {
      const version = await freshVersion(env, org)
      return { method: 'GET', path: `/api/canvases/${org.canvasId}/replay?from=${version}&to=${version}` }
    },
  },
  {
    route: 'GET /api/canvases/:canvasId/comments',
    need: 'viewer',
    ok: 200,
    targetsIds: true,
    prepare: fixed('GET', (org) => `/api/canvases/${org.canvasId}/comments`),
  },
  {
    route: 'POST /api/canvases/:canvasId/comments',
    need: 'viewer',
    ok: 201,
    targetsIds: true,
    prepare: fixed('POST', (org) => `/api/canvases/${org.canvasId}/comments`, { body: 'by a matrix' }),
  },
  {
    route: 'POST /api/canvases/:canvasId/comments/:commentId/resolve',
    need: 'editor',
    ok: 200,
    targetsIds: true,
    // The org admin wrote the comment: below editor, only its author may resolve it.
    prepare: async (env, org) => ({
      method: 'POST',
      path: `/api/canvases/${org.canvasId}/comments/${await freshComment(env, org)}/resolve`,
    }),
  },
  {
    route: 'DELETE /api/canvases/:canvasId/comments/:commentId',
    need: 'admin',
    ok: 204,
    targetsIds: true,
    prepare: async (env, org) => ({
      method: 'DELETE',
      path: `/api/canvases/${org.canvasId}/comments/${await freshComment(env, org)}`,
    }),
  },
  {
    route: 'POST /api/canvases/:canvasId/template',
    need: 'editor',
    ok: 201,
    targetsIds: true,
    prepare: fixed('POST', (org) => `/api/canvases/${org.canvasId}/template`, { name: 'by a matrix' }),
  },
  {
    route: 'POST /api/templates',
    need: 'signed-in',
    ok: 201,
    targetsIds: false,
    prepare: fixed('POST', () => '/api/templates', { name: 'by a matrix', blocks: [] }),
  },
  {
    route: 'GET /api/templates',
    need: 'signed-in',
    ok: 200,
    targetsIds: false,
    prepare: fixed('GET', () => '/api/templates'),
  },
  {
    route: 'GET /api/templates/:templateId',
    need: 'signed-in',
    ok: 200,
    targetsIds: true,
    prepare: async (env, org) => ({ method: 'GET', path: `/api/templates/${await freshTemplate(env, org)}` }),
  },
  {
    route: 'POST /api/users',
    need: 'org-admin',
    ok: 201,
    targetsIds: false,
    prepare: async () => {
      const name = unique('created')
      return {
        method: 'POST',
        path: '/api/users',
        body: { email: `${name}@example.com`, username: name, password: 'a long password', role: 'member' },
      }
    },
  },
  {
    route: 'GET /api/users',
    need: 'org-admin',
    ok: 200,
    targetsIds: false,
    prepare: fixed('GET', () => '/api/users'),
  },
  {
    route: 'PATCH /api/users/:userId',
    need: 'org-admin',
    ok: 200,
    targetsIds: true,
    prepare: fixed('PATCH', (org) => `/api/users/${org.spareMemberId}`, { first_name: 'Spare' }),
  },
  {
    route: 'DELETE /api/users/:userId',
    need: 'org-admin',
    ok: 200,
    targetsIds: true,
    prepare: async (env, org) => ({
      method: 'DELETE',
      path: `/api/users/${(await insertUser(env, org.organizationId)).id}`,
    }),
  },
  {
    route: 'POST /api/users/:userId/deactivate',
    need: 'org-admin',
    ok: 200,
    targetsIds: true,
    prepare: async (env, org) => ({
      method: 'POST',
      path: `/api/users/${(await insertUser(env, org.organizationId)).id}/deactivate`,
    }),
  },
  {
    route: 'GET /api/audit-logs',
    need: 'org-admin',
    ok: 200,
    targetsIds: false,
    prepare: fixed('GET', () => '/api/audit-logs'),
  },
]
