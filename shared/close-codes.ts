/**
 * WebSocket close codes the server uses. 1000-1015 are RFC 6455 codes; 4000-4999 are ours, following the convention
 * stock y-websocket clients (3.x) apply: 4400-4499 mean "reconnecting as is cannot help" (they stop retrying),
 * everything else, including 4500-4599, is transient (they reconnect with backoff).
 */
export const CloseCode = {
  /** Normal close initiated by the server (e.g. the room was removed). */
  Normal: 1000,
  /** The server is shutting down; reconnect to another instance or later. */
  GoingAway: 1001,
  /** The message exceeded MAX_MESSAGE_BYTES (set by `ws` when maxPayload is exceeded). */
  MessageTooBig: 1009,
  /** Unexpected server failure while handling this connection (e.g. the journal could not be written). */
  InternalError: 1011,
  /** The client sent a message that could not be decoded or validated. Nothing of it was applied. */
  BadMessage: 4400,
  /** The session behind the token ended (logout, expiry, user deactivated). */
  Unauthenticated: 4401,
  /** The user lost access to the canvas while connected. */
  Forbidden: 4403,
  /** The canvas was deleted while connected. */
  CanvasGone: 4404,
  /** The client stopped answering pings (transient: reconnect). */
  Timeout: 4508,
  /** The client exceeded its message or byte budget (a flood: stock clients do not retry). */
  RateLimited: 4429,
  /** The client could not keep up with the room (its send buffer overflowed); transient: reconnect. */
  TooSlow: 4529,
  /** The canvas could not be loaded from storage; retry later. Never an empty document instead. */
  LoadFailed: 4503,
} as const

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]

export const closeReason: Readonly<Record<CloseCode, string>> = {
  [CloseCode.Normal]: 'closed',
  [CloseCode.GoingAway]: 'server shutting down',
  [CloseCode.MessageTooBig]: 'message too big',
  [CloseCode.InternalError]: 'internal error',
  [CloseCode.BadMessage]: 'malformed message',
  [CloseCode.Unauthenticated]: 'session ended',
  [CloseCode.Forbidden]: 'access revoked',
  [CloseCode.CanvasGone]: 'canvas deleted',
  [CloseCode.Timeout]: 'ping timeout',
  [CloseCode.RateLimited]: 'rate limited',
  [CloseCode.TooSlow]: 'too slow to keep up',
  [CloseCode.LoadFailed]: 'canvas could not be loaded',
}
