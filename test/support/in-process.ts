import type { Hono } from 'hono'
import { MemoryBus } from '../../persistence/memory/bus.ts'
import { MemoryLockManager } from '../../persistence/memory/locks.ts'
import { MemoryPresenceStore } from '../../persistence/memory/presence.ts'
import { MemoryRateLimiter } from '../../persistence/memory/rate-limiter.ts'
import { AuditLogStore } from '../../persistence/sql/audit-store.ts'
import { openSqlDatabase } from '../../persistence/sql/connect.ts'
import { recordCurrentVersion } from '../../persistence/sql/current-version.ts'
import { SqlDocumentStore } from '../../persistence/sql/document-store.ts'
import { sqlHistoryStores } from '../../persistence/sql/history-stores.ts'
import { MetadataStore } from '../../persistence/sql/metadata-store.ts'
import { SqlSessionStore } from '../../persistence/sql/session-store.ts'
import { migrateToLatest } from '../../schema/migrate.ts'
import { BusAccessEvents } from '../../server/access/access-events.ts'
import { createApp } from '../../server/app.ts'
import { AuditWriter } from '../../server/audit/audit-writer.ts'
import { Authenticator } from '../../server/auth/authenticator.ts'
import { InlineStateFolder } from '../../server/compaction/state-folder.ts'
import type { RateLimitConfig, VersioningConfig } from '../../server/config.ts'
import { createVersioning } from '../../server/history/components.ts'
import { HistoryService } from '../../server/history/service.ts'
import type { AppEnv } from '../../server/http/env.ts'
import { LockService } from '../../server/locks/lock-service.ts'
import { createLogger } from '../../server/logger.ts'
import { PresenceService } from '../../server/presence/presence-service.ts'
import { GroupCommitJournal } from '../../server/rooms/journal.ts'
import { RoomRegistry } from '../../server/rooms/registry.ts'

export interface InProcessOptions {
  /** Rate limits (default: generous, like production). */
  readonly limits?: Partial<RateLimitConfig>
  /** Take client IPs from X-Forwarded-For (lets a test act from several addresses). */
  readonly trustProxy?: boolean
  /** Automatic versions (default: production's timings, so tests that do not wait for them never see one). */
  readonly versioning?: Partial<VersioningConfig>
}

/** The HTTP app on in-memory PGlite and in-process adapters, for `app.request()` tests. */
export async function createInProcessApp(options: InProcessOptions = {}) {
  const db = openSqlDatabase({ kind: 'pglite', dataDir: null })
  await migrateToLatest(db)
  const log = createLogger('silent')
  const metadata = new MetadataStore(db)
  const documents = new SqlDocumentStore(db)
  const sessions = new SqlSessionStore(db)
  const bus = new MemoryBus()
  const presence = new PresenceService(
    new MemoryPresenceStore(),
    { ttlMs: 60_000, writeIntervalMs: 1000 },
    log,
  )
  const history = sqlHistoryStores(db)
  const versioning = createVersioning({
    versions: history.versions,
    locks: new MemoryLockManager(),
    instanceId: bus.instanceId,
    config: { quietMs: 30_000, maxIntervalMs: 300_000, keyframeInterval: 20, ...options.versioning },
    log,
    versionCreated: (info) => recordCurrentVersion(db, info.canvasId, info.version),
  })
  const registry = new RoomRegistry(
    {
      documents,
      journal: new GroupCommitJournal(documents),
      bus,
      log,
      compactJournalBytes: 1 << 20,
      folder: new InlineStateFolder(),
      extensions: [versioning.extension],
    },
    { unloadGraceMs: 50, compactIntervalMs: 60_000 },
  )
  const auth = new Authenticator(sessions, metadata, 3600_000)
  const audit = new AuditWriter(new AuditLogStore(db), { flushIntervalMs: 10, batchSize: 100, log })
  const app: Hono<AppEnv> = createApp({
    metadata,
    documents,
    auth,
    registry,
    log,
    readiness: () => metadata.ping(),
    audit,
    rateLimiter: new MemoryRateLimiter(),
    limits: { userPerMinute: 1200, ipPerMinute: 300, loginPerAccountPerMinute: 20, ...options.limits },
    accessEvents: new BusAccessEvents(bus, log),
    cookies: { secure: false, maxAgeSeconds: 3600 },
    trustProxy: options.trustProxy ?? false,
    realtime: {
      locks: new LockService(new MemoryLockManager(), bus, { defaultTtlMs: 30_000, maxTtlMs: 300_000 }, log),
      presence,
      auditLockBreak: () => undefined,
    },
    history: {
      ...history,
      folder: new InlineStateFolder(),
      service: new HistoryService({
        versions: history.versions,
        documents,
        registry,
        versioner: versioning.versioner,
        log,
      }),
    },
  })
  return {
    app,
    db,
    metadata,
    documents,
    auth,
    audit,
    bus,
    registry,
    history,
    async close() {
      await registry.shutdown()
      versioning.close()
      await audit.close()
      presence.close()
      await bus.close()
      await db.destroy()
    },
  }
}

/** JSON request helper over `app.request()`. */
export async function call(
  app: Hono<AppEnv>,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; rawBody?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {}
  if (options.body !== undefined || options.rawBody !== undefined)
    headers['content-type'] = 'application/json'
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  const response = await app.request(path, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  })
  const text = await response.text()
  if (text === '') return { status: response.status, body: {} }
  // Binary (application/octet-stream) and NDJSON responses come back as their text.
  const isJson = (response.headers.get('content-type') ?? '').startsWith('application/json')
  return {
    status: response.status,
    body: isJson ? (JSON.parse(text) as Record<string, unknown>) : { text },
  }
}
