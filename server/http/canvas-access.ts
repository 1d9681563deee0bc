import type { Context } from 'hono'
import { z } from 'zod'
import { type CanvasAccess, roleAtLeast } from '../../persistence/sql/metadata-store.ts'
import type { ProjectRole } from '../../schema/database.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { forbidden, notFound } from './errors.ts'
import { idParam } from './params.ts'

/** A public link token as issued (32 random bytes, base64url). */
export const LinkToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a public link token')

/**
 * The `:canvasId` canvas with the caller's effective role (MetadataStore.canvasAccess), requiring at least `needed`.
 * No access at all is 404, like an unknown id: the caller must not learn that the canvas exists. Some access but
 * below `needed` is 403.
 */
export async function requireCanvasRole(
  deps: HttpDeps,
  c: Context<AppEnv>,
  needed: ProjectRole,
  linkToken: string | null = null,
): Promise<CanvasAccess> {
  const canvasId = idParam(c, 'canvasId', 'canvas')
  const access = await deps.metadata.canvasAccess(c.get('user'), canvasId, { linkToken })
  if (access === null) throw notFound('canvas')
  if (!roleAtLeast(access.role, needed)) throw forbidden(`this needs the ${needed} role on the canvas`)
  return access
}
