import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { timing } from 'hono/timing'
import { auditLogRoutes } from './http/audit-logs.ts'
import { authRoutes, requireAuth } from './http/auth.ts'
import { canvasRoutes } from './http/canvases.ts'
import { commentRoutes } from './http/comments.ts'
import type { HttpDeps } from './http/deps.ts'
import type { AppEnv } from './http/env.ts'
import { ApiHttpError, errorHandler } from './http/errors.ts'
import { healthRoutes } from './http/health.ts'
import { memberRoutes } from './http/members.ts'
import { projectRoutes } from './http/projects.ts'
import { perUserRateLimit } from './http/rate-limit.ts'
import { realtimeRoutes } from './http/realtime.ts'
import { sharingRoutes } from './http/sharing.ts'
import { templateRoutes } from './http/templates.ts'
import { userRoutes } from './http/users.ts'
import { versionRoutes } from './http/versions.ts'

/** Largest JSON body the REST API accepts. */
export const MAX_HTTP_BODY_BYTES = 1024 * 1024

/** Builds the HTTP application; no I/O happens here, so tests drive it in-process with `app.request()`. */
export function createApp(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  // Server-Timing on every response: the server's own time per request, so a client (or the bench) can tell it
  // from network and client-side delays. Readable cross-origin only where the browser allows (no
  // Timing-Allow-Origin).
  app.use('*', timing({ totalDescription: 'server' }))
  app.onError(errorHandler(deps.log))
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404))
  app.route('/', healthRoutes(deps))

  const api = new Hono<AppEnv>()
  api.use(
    bodyLimit({
      maxSize: MAX_HTTP_BODY_BYTES,
      onError: () => {
        throw new ApiHttpError(413, `request body exceeds ${MAX_HTTP_BODY_BYTES} bytes`)
      },
    }),
  )
  api.route('/', authRoutes(deps))
  api.use('*', requireAuth(deps))
  api.use('*', perUserRateLimit(deps))
  api.route('/', userRoutes(deps))
  api.route('/', projectRoutes(deps))
  api.route('/', memberRoutes(deps))
  api.route('/', canvasRoutes(deps))
  api.route('/', sharingRoutes(deps))
  api.route('/', auditLogRoutes(deps))
  api.route('/', realtimeRoutes(deps, deps.realtime))
  api.route('/', versionRoutes(deps, deps.history))
  api.route('/', templateRoutes(deps, deps.history))
  api.route('/', commentRoutes(deps, deps.history))
  app.route('/api', api)
  return app
}
