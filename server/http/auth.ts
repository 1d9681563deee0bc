import { createHash, randomBytes } from 'node:crypto'
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { UniqueViolation } from '../../persistence/sql/metadata-store.ts'
import type { LoginResponse, MeResponse, SignupResponse } from '../../shared/api.ts'
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/password.ts'
import { auditRequest, callerOf } from './audit-context.ts'
import { clientInfo } from './client-info.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { conflict, notFound, tooManyRequests, unauthorized } from './errors.ts'
import { enforceIpRateLimit, perUserRateLimit, RATE_WINDOW_MS } from './rate-limit.ts'
import { clearSessionCookie, sessionCookie, setSessionCookie } from './session-cookie.ts'
import { email, password, username } from './user-fields.ts'
import { readJson } from './validate.ts'
import { organizationView, userView } from './views.ts'

const SignupBody = z.object({
  email,
  username,
  password,
  organization: z.string().trim().min(1).max(255),
})

const LoginBody = z.object({ email, password: z.string().min(1).max(200) })

function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
  return base === '' ? 'org' : base
}

/** `Authorization: Bearer <token>`; null when absent. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim())
  return match?.[1] ?? null
}

/** Counter key of login attempts for one account; the email is hashed so Redis keys carry no addresses. */
function accountKey(email: string): string {
  return `account:${createHash('sha256').update(email).digest('hex').slice(0, 32)}:login`
}

/**
 * Requires a valid session, from `Authorization: Bearer` or else the session cookie; puts `principal` and `user`
 * on the context.
 */
export function requireAuth(deps: HttpDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c.req.header('authorization')) ?? sessionCookie(c)
    const authenticated = await deps.auth.authenticate(token)
    if (authenticated === null) throw unauthorized('missing, invalid or expired token')
    c.set('principal', authenticated.principal)
    c.set('user', authenticated.user)
    await next()
  }
}

export function authRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post('/auth/signup', async (c) => {
    await enforceIpRateLimit(deps, c, clientInfo(c, deps.trustProxy).ip)
    const body = await readJson(c, SignupBody)
    const passwordHash = await hashPassword(body.password)
    let slug = slugify(body.organization)
    if (await deps.metadata.slugExists(slug)) slug = `${slug}-${randomBytes(3).toString('hex')}`
    try {
      const { organization, user } = await deps.metadata.createOrganizationWithAdmin({
        organizationName: body.organization,
        slug,
        email: body.email,
        username: body.username,
        passwordHash,
      })
      const token = await deps.auth.issue({ id: user.id, organization_id: organization.id })
      deps.log.info({ userId: user.id, organizationId: organization.id }, 'signup')
      setSessionCookie(c, token, deps.cookies)
      auditRequest(
        deps,
        c,
        { userId: user.id, organizationId: organization.id },
        {
          action: 'auth.signup',
          resourceType: 'user',
          resourceId: user.id,
          changes: { email: user.email, username: user.username, organization: organization.name },
        },
      )
      const response: SignupResponse = {
        token,
        user: userView(user),
        organization: organizationView(organization),
      }
      return c.json(response, 201)
    } catch (error) {
      if (error instanceof UniqueViolation) throw conflict(`${error.field} is already taken`, error.field)
      throw error
    }
  })

  app.post('/auth/login', async (c) => {
    await enforceIpRateLimit(deps, c, clientInfo(c, deps.trustProxy).ip)
    const body = await readJson(c, LoginBody)
    const user = await deps.metadata.findUserByEmail(body.email)
    const actor = { userId: user?.id ?? null, organizationId: user?.organization_id ?? null }
    const failed = (reason: string) =>
      auditRequest(deps, c, actor, {
        action: 'auth.login_failed',
        resourceType: 'user',
        resourceId: actor.userId,
        changes: { email: body.email, reason },
      })
    // Counted per account (known or not) before the password is checked: guessing is bounded per account.
    const attempt = await deps.rateLimiter.hit(
      accountKey(body.email),
      deps.limits.loginPerAccountPerMinute,
      RATE_WINDOW_MS,
    )
    if (!attempt.allowed) {
      failed('rate_limited')
      throw tooManyRequests(attempt.retryAfterMs)
    }
    // Verify against a dummy hash for unknown users so response time does not reveal which emails exist.
    const ok = await verifyPassword(body.password, user?.hashed_password ?? DUMMY_PASSWORD_HASH)
    if (user === undefined || !ok || !user.is_active || user.organization_id === null) {
      failed(user !== undefined && ok ? 'inactive' : 'invalid_credentials')
      throw unauthorized('invalid email or password')
    }
    const token = await deps.auth.issue({ id: user.id, organization_id: user.organization_id })
    await deps.metadata.recordLogin(user.id)
    setSessionCookie(c, token, deps.cookies)
    auditRequest(deps, c, actor, { action: 'auth.login', resourceType: 'user', resourceId: user.id })
    const response: LoginResponse = { token, user: userView(user) }
    return c.json(response)
  })

  /** Ends the caller's session; its sockets (on every instance) close with 4401 within moments. */
  app.post('/auth/logout', requireAuth(deps), perUserRateLimit(deps), async (c) => {
    const principal = c.get('principal')
    await deps.auth.revokeSession(principal.sessionHash)
    clearSessionCookie(c, deps.cookies)
    await deps.accessEvents.userChanged(principal.userId)
    auditRequest(deps, c, callerOf(c), {
      action: 'auth.logout',
      resourceType: 'user',
      resourceId: principal.userId,
    })
    return c.body(null, 204)
  })

  app.get('/me', requireAuth(deps), perUserRateLimit(deps), async (c) => {
    const user = c.get('user')
    const organization = await deps.metadata.getOrganization(c.get('principal').organizationId)
    if (organization === undefined) throw notFound('organization')
    const response: MeResponse = { user: userView(user), organization: organizationView(organization) }
    return c.json(response)
  })

  return app
}
