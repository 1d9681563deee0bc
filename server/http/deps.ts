import type { DocumentStore, RateLimiter } from '../../persistence/ports.ts'
import type { MetadataStore } from '../../persistence/sql/metadata-store.ts'
import type { AccessChangePublisher } from '../access/access-events.ts'
import type { AuditSink } from '../audit/audit-writer.ts'
import type { Authenticator } from '../auth/authenticator.ts'
import type { RateLimitConfig } from '../config.ts'
import type { Logger } from '../logger.ts'
import type { RoomRegistry } from '../rooms/registry.ts'
import type { HistoryDeps } from './history-deps.ts'
import type { RealtimeDeps } from './realtime.ts'
import type { CookieSettings } from './session-cookie.ts'

/** Everything HTTP routes need; built by the composition root (server/main.ts) or by tests. */
export interface HttpDeps {
  readonly metadata: MetadataStore
  readonly documents: DocumentStore
  readonly auth: Authenticator
  readonly registry: RoomRegistry
  readonly log: Logger
  /** Checks every store; rejects naming the one that failed. */
  readonly readiness: () => Promise<void>
  /** The audit trail: `audit.audit(event)` queues a row, written in batches off the request path. */
  readonly audit: AuditSink
  /** Counters behind the HTTP rate limits (`limits`), shared by every instance when Redis is configured. */
  readonly rateLimiter: RateLimiter
  readonly limits: RateLimitConfig
  /** Tells open sockets on every instance to re-check their access after a change committed. */
  readonly accessEvents: AccessChangePublisher
  readonly cookies: CookieSettings
  /** Take the client IP from X-Forwarded-For (only behind a proxy that sets it). */
  readonly trustProxy: boolean
  /** Presence and block locks. */
  readonly realtime: RealtimeDeps
  /** Versions, templates and comments. */
  readonly history: HistoryDeps
}
