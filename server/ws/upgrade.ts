import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { type WebSocket, WebSocketServer } from 'ws'
import type { ProjectRole } from '../../schema/database.ts'
import type { ConnectAuthorizer } from '../access/connect-authorizer.ts'
import { recordConnectionGrant } from '../access/connection-grant.ts'
import type { WsBudgetConfig } from '../config.ts'
import { bearerToken } from '../http/auth.ts'
import { sessionFromCookieHeader } from '../http/session-cookie.ts'
import type { Logger } from '../logger.ts'
import { Connection } from '../rooms/connection.ts'
import { accessForRole, type Principal } from '../rooms/principal.ts'
import type { RoomRegistry } from '../rooms/registry.ts'
import type { Room } from '../rooms/room.ts'
import { HeartbeatSchedule } from './heartbeat.ts'
import { MessageBudget } from './message-budget.ts'
import { SocketSession, type SocketSessionDeps } from './socket-session.ts'

/**
 * Path prefix of collaboration sockets: `ws://HOST:PORT/collab/<canvasId>?token=...[&link=...]`. Browsers may rely on
 * the HttpOnly session cookie instead of `token`; `link` is a canvas's public link token.
 */
export const COLLAB_PATH = '/collab/'

/** Shape of a public link token; anything else is ignored rather than compared. */
const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/

export interface UpgradeDeps {
  /** Identity and canvas access, through the short-lived authorization cache. */
  readonly authorizer: ConnectAuthorizer
  readonly registry: RoomRegistry
  readonly log: Logger
  readonly maxMessageBytes: number
  readonly allowedOrigins: readonly string[] | null
  readonly heartbeatMs: number
  /** Per-connection message and byte budgets; a flood closes only that connection (4429). */
  readonly wsBudget: WsBudgetConfig
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
}

/** Refuses the upgrade with a plain HTTP response: no socket is ever opened for a refused client. */
function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: message })
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  )
}

/**
 * Authenticates and authorizes during the HTTP upgrade, then hands the socket to the canvas's room.
 * Refusals: 401 missing/bad token, 403 foreign Origin, 404 unknown canvas or no access (never revealing which).
 */
export class CollabUpgradeHandler {
  readonly wss: WebSocketServer
  private readonly heartbeat: NodeJS.Timeout
  private readonly heartbeats = new HeartbeatSchedule()
  private readonly sessionDeps: SocketSessionDeps<Room>

  constructor(private readonly deps: UpgradeDeps) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: deps.maxMessageBytes,
      perMessageDeflate: false,
    })
    this.heartbeat = setInterval(
      () => this.heartbeats.tick(Date.now()),
      HeartbeatSchedule.tickMs(deps.heartbeatMs),
    )
    this.heartbeat.unref()
    this.sessionDeps = { registry: deps.registry, log: deps.log, heartbeats: this.heartbeats }
  }

  private readonly onUpgradeSocketError = (error: Error): void => {
    this.deps.log.debug({ err: error }, 'upgrade socket error')
  }

  get connectionCount(): number {
    return this.heartbeats.size
  }

  handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // One listener shared by every socket, never a closure made here: the socket lives as long as the connection,
    // and a closure made in this call would keep the call's scope, with the HTTP request and its headers (about
    // 2 KB per connection, measured in a heap snapshot), alive as long.
    socket.on('error', this.onUpgradeSocketError)
    this.authorize(request).then(
      (result) => {
        if (!result.ok) {
          refuse(socket, result.status, result.message)
          return
        }
        this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, socket, result))
      },
      (error: unknown) => {
        this.deps.log.error({ err: error }, 'upgrade failed')
        refuse(socket, 503, 'service unavailable')
      },
    )
  }

  private async authorize(request: IncomingMessage): Promise<Authorized | Refused> {
    const url = new URL(request.url ?? '/', 'http://localhost')
    if (!url.pathname.startsWith(COLLAB_PATH)) return { ok: false, status: 404, message: 'not found' }
    const origin = request.headers.origin
    if (
      this.deps.allowedOrigins !== null &&
      origin !== undefined &&
      !this.deps.allowedOrigins.includes(origin)
    ) {
      return { ok: false, status: 403, message: 'origin not allowed' }
    }
    const canvasId = decodeURIComponent(url.pathname.slice(COLLAB_PATH.length))
    const token =
      url.searchParams.get('token') ??
      bearerToken(request.headers.authorization) ??
      sessionFromCookieHeader(request.headers.cookie)
    const link = url.searchParams.get('link')
    const linkToken = link !== null && LINK_TOKEN.test(link) ? link : null
    const result = await this.deps.authorizer.authorize(token, canvasId, linkToken)
    if (result.kind === 'unauthenticated')
      return { ok: false, status: 401, message: 'missing, invalid or expired token' }
    if (result.kind === 'no-access') return { ok: false, status: 404, message: 'canvas not found' }
    return {
      ok: true,
      canvasId: result.access.canvasId,
      principal: result.identity.principal,
      role: result.access.role,
      authorizedAt: result.authorizedAt,
      linkToken,
    }
  }

  /** `wire` is the upgraded socket, the stream `ws` writes its frames to. */
  private accept(ws: WebSocket, wire: Duplex, authorized: Authorized): void {
    const connection = new Connection(ws, authorized.principal, accessForRole(authorized.role), wire)
    // The times the reads started (those of the cached results when reused, never "now"): live revocation
    // re-checks a joining connection if a change may have committed after them (revocation-extension.ts).
    recordConnectionGrant(connection, {
      authorizedAt: authorized.authorizedAt,
      linkToken: authorized.linkToken,
    })
    SocketSession.start(
      ws,
      connection,
      authorized.canvasId,
      new MessageBudget(this.deps.wsBudget),
      this.sessionDeps,
    )
  }

  /** Stops heartbeats; sockets are closed by the registry's shutdown. */
  close(): void {
    clearInterval(this.heartbeat)
    for (const client of this.wss.clients) client.terminate()
    this.wss.close()
  }
}

/** Plain data, no closure: nothing of the upgrade's scope outlives it. */
interface Authorized {
  readonly ok: true
  readonly canvasId: string
  readonly principal: Principal
  readonly role: ProjectRole
  readonly authorizedAt: number
  readonly linkToken: string | null
}

interface Refused {
  readonly ok: false
  readonly status: number
  readonly message: string
}
