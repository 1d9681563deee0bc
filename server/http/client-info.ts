import { isIP } from 'node:net'
import type { Context } from 'hono'

/** Where a request came from, for rate limits and audit rows. */
export interface ClientInfo {
  /** A valid IP address, or null when unknown (in-process requests have no socket). */
  readonly ip: string | null
  readonly userAgent: string | null
}

/** Longest User-Agent kept in audit rows. */
const MAX_USER_AGENT_CHARS = 512

/** The socket's remote address under @hono/node-server (`c.env.incoming`), or null when there is no socket. */
function socketAddress(c: Context): string | null {
  const env: unknown = c.env
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return null
  const incoming: unknown = env.incoming
  if (typeof incoming !== 'object' || incoming === null || !('socket' in incoming)) return null
  const socket: unknown = incoming.socket
  if (typeof socket !== 'object' || socket === null || !('remoteAddress' in socket)) return null
  return typeof socket.remoteAddress === 'string' ? socket.remoteAddress : null
}

/**
 * The client's IP: with `trustProxy`, the first X-Forwarded-For entry (set by the proxy in front of us); otherwise
 * the socket's peer. Anything that is not an IP address is ignored (the audit column is `inet`).
 */
export function clientInfo(c: Context, trustProxy: boolean): ClientInfo {
  const forwarded = trustProxy ? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() : undefined
  const candidate = forwarded ?? socketAddress(c)
  const userAgent = c.req.header('user-agent')
  return {
    ip: candidate !== undefined && candidate !== null && isIP(candidate) !== 0 ? candidate : null,
    userAgent: userAgent === undefined ? null : userAgent.slice(0, MAX_USER_AGENT_CHARS),
  }
}
