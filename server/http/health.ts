import { Hono } from 'hono'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'

export function healthRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  /** Liveness: the process answers. */
  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  /** Readiness: every store answers. */
  app.get('/readyz', async (c) => {
    try {
      await deps.readiness()
      return c.json({ status: 'ready' })
    } catch (error) {
      deps.log.warn({ err: error }, 'not ready')
      return c.json(
        { status: 'unavailable', error: error instanceof Error ? error.message : String(error) },
        503,
      )
    }
  })
  return app
}
