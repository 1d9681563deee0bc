import type { Context } from 'hono'
import type { AuditEvent } from '../audit/audit-writer.ts'
import { clientInfo } from './client-info.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'

/** Who acted, for audit rows. */
export interface Actor {
  readonly userId: string | null
  readonly organizationId: string | null
}

/** The signed-in caller (routes behind requireAuth). */
export function callerOf(c: Context<AppEnv>): Actor {
  const principal = c.get('principal')
  return { userId: principal.userId, organizationId: principal.organizationId }
}

/** Queues an audit row for this request, stamped with the client's IP and User-Agent. */
export function auditRequest(
  deps: HttpDeps,
  c: Context<AppEnv>,
  actor: Actor,
  event: Omit<AuditEvent, 'userId' | 'organizationId' | 'ipAddress' | 'userAgent'>,
): void {
  const client = clientInfo(c, deps.trustProxy)
  deps.audit.audit({ ...event, ...actor, ipAddress: client.ip, userAgent: client.userAgent })
}
