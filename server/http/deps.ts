import type { DocumentStore } from '../../persistence/ports.ts'
import type { MetadataStore } from '../../persistence/sql/metadata-store.ts'
import type { Authenticator } from '../auth/authenticator.ts'
import type { Logger } from '../logger.ts'
import type { RoomRegistry } from '../rooms/registry.ts'
import type { RealtimeDeps } from './realtime.ts'

/** Everything HTTP routes need; built by the composition root (server/main.ts) or by tests. */
export interface HttpDeps {
  readonly metadata: MetadataStore
  readonly documents: DocumentStore
  readonly auth: Authenticator
  readonly registry: RoomRegistry
  readonly log: Logger
  /** Checks every store; rejects naming the one that failed. */
  readonly readiness: () => Promise<void>
  /** Presence and block locks. */
  readonly realtime: RealtimeDeps
}
