import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { tooManyRequests } from './errors.ts'

/** Every HTTP limit counts per minute (fixed window). */
export const RATE_WINDOW_MS = 60_000

/**
 * Counts one hit against `key` (stored as `rate_limit:{key}`); throws 429 with Retry-After past `limit`.
 * A limiter failure (Redis down) propagates as a 500: with Redis configured, sessions live there too, so requests
 * could not be authenticated anyway.
 */
export async function enforceRateLimit(deps: HttpDeps, key: string, limit: number): Promise<void> {
  const decision = await deps.rateLimiter.hit(key, limit, RATE_WINDOW_MS)
  if (!decision.allowed) throw tooManyRequests(decision.retryAfterMs)
}

/**
 * The endpoint a request is for, as its registered route (`GET /api/canvases/:canvasId`), so ids in the path never
 * create new counters. Middleware (method ALL) is skipped; a request no route answers counts as `unmatched`.
 */
export function endpointOf(c: Context): string {
  const handler = matchedRoutes(c)
    .filter((route) => route.method !== 'ALL')
    .at(-1)
  return `${c.req.method} ${handler?.path ?? 'unmatched'}`
}

/** Per signed-in user, per endpoint: `rate_limit:{user_id}:{endpoint}`. Runs after requireAuth. */
export function perUserRateLimit(deps: HttpDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await enforceRateLimit(deps, `${c.get('principal').userId}:${endpointOf(c)}`, deps.limits.userPerMinute)
    await next()
  }
}

/** Per client IP, per endpoint, for requests made before signing in: `rate_limit:ip:{ip}:{endpoint}`. */
export function enforceIpRateLimit(deps: HttpDeps, c: Context, ip: string | null): Promise<void> {
  // Requests without a known address (in-process) share one counter: limited together, never unlimited.
  return enforceRateLimit(deps, `ip:${ip ?? 'unknown'}:${endpointOf(c)}`, deps.limits.ipPerMinute)
}
