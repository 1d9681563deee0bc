import { randomBytes } from 'node:crypto'
import { Hono, type MiddlewareHandler } from 'hono'
import { z } from 'zod'
import { UniqueViolation } from '../../persistence/sql/metadata-store.ts'
import type { LoginResponse, MeResponse, SignupResponse } from '../../shared/api.ts'
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/password.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { conflict, notFound, unauthorized } from './errors.ts'
import { readJson } from './validate.ts'
import { organizationView, userView } from './views.ts'

const email = z.string().trim().toLowerCase().email('must be an email address').max(255)
const password = z.string().min(8, 'must be at least 8 characters').max(200, 'must be at most 200 characters')

const SignupBody = z.object({
  email,
  username: z
    .string()
    .trim()
    .min(2)
    .max(64)
    .regex(/^[A-Za-z0-9_.-]+$/, 'may contain letters, digits, _ . - only'),
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

/** Requires a valid session; puts `principal` and `user` on the context. */
export function requireAuth(deps: HttpDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const authenticated = await deps.auth.authenticate(bearerToken(c.req.header('authorization')))
    if (authenticated === null) throw unauthorized('missing, invalid or expired token')
    c.set('principal', authenticated.principal)
    c.set('user', authenticated.user)
    await next()
  }
}

export function authRoutes(deps: HttpDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post('/auth/signup', async (c) => {
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
    const body = await readJson(c, LoginBody)
    const user = await deps.metadata.findUserByEmail(body.email)
    // Verify against a dummy hash for unknown users so response time does not reveal which emails exist.
    const ok = await verifyPassword(body.password, user?.hashed_password ?? DUMMY_PASSWORD_HASH)
    if (user === undefined || !ok || !user.is_active || user.organization_id === null) {
      throw unauthorized('invalid email or password')
    }
    const token = await deps.auth.issue({ id: user.id, organization_id: user.organization_id })
    await deps.metadata.recordLogin(user.id)
    const response: LoginResponse = { token, user: userView(user) }
    return c.json(response)
  })

  app.get('/me', requireAuth(deps), async (c) => {
    const user = c.get('user')
    const organization = await deps.metadata.getOrganization(c.get('principal').organizationId)
    if (organization === undefined) throw notFound('organization')
    const response: MeResponse = { user: userView(user), organization: organizationView(organization) }
    return c.json(response)
  })

  return app
}
