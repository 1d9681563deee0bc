import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import type {
  Bus,
  DocumentStore,
  LockManager,
  PresenceStore,
  RateLimiter,
  SessionStore,
} from '../persistence/ports.ts'
import { recordCurrentVersion } from '../persistence/sql/current-version.ts'
import type { MetadataStore } from '../persistence/sql/metadata-store.ts'
import { BusAccessEvents } from './access/access-events.ts'
import { AuthorizationCache } from './access/authorization-cache.ts'
import {
  LocallyInvalidatingAccessEvents,
  listenForAccessChanges,
} from './access/authorization-cache-wiring.ts'
import { ConnectAuthorizer } from './access/connect-authorizer.ts'
import { createApp } from './app.ts'
import type { AuditWriter } from './audit/audit-writer.ts'
import { Authenticator } from './auth/authenticator.ts'
import type { StateFolder } from './compaction/state-folder.ts'
import type { Config } from './config.ts'
import { createVersioning, type HistoryStores } from './history/components.ts'
import { HistoryService } from './history/service.ts'
import { LockService } from './locks/lock-service.ts'
import { locksExtension } from './locks/locks-extension.ts'
import type { Logger } from './logger.ts'
import { presenceExtension } from './presence/presence-extension.ts'
import { PresenceService } from './presence/presence-service.ts'
import type { RoomExtension } from './rooms/extensions.ts'
import { DisabledJournal, GroupCommitJournal, type Journal } from './rooms/journal.ts'
import { RoomRegistry } from './rooms/registry.ts'
import { CollabUpgradeHandler } from './ws/upgrade.ts'

/** The adapters a server runs on and the room extensions it uses, chosen by the composition root. */
export interface ServerAdapters {
  readonly metadata: MetadataStore
  readonly documents: DocumentStore
  readonly sessions: SessionStore
  readonly bus: Bus
  readonly presence: PresenceStore
  readonly locks: LockManager
  /** HTTP rate-limit counters (Redis when configured, so limits hold across instances). */
  readonly rateLimiter: RateLimiter
  /** The audit trail; flushed and closed by shutdown() after the registry and the last HTTP request. */
  readonly audit: AuditWriter
  /** Versions, templates and comments (SQL or MongoDB). */
  readonly history: HistoryStores
  /** Extensions beyond the built-in presence and locks ones. */
  readonly extensions: readonly RoomExtension[]
  /** Folds journals into compacted states off the event loop (a thread of its own; see state-folder.ts). */
  readonly folder: StateFolder
}

export interface RunningServer {
  readonly address: AddressInfo
  readonly registry: RoomRegistry
  /** Graceful stop: refuse new work, close sockets (1001), flush journal and state. Idempotent. */
  shutdown(): Promise<void>
}

const HEARTBEAT_MS = 30_000

/** Wires HTTP (Hono) and WebSocket upgrades on one port and starts listening. */
export async function startServer(
  config: Config,
  adapters: ServerAdapters,
  log: Logger,
): Promise<RunningServer> {
  const journal: Journal = config.journalEnabled
    ? new GroupCommitJournal(adapters.documents)
    : new DisabledJournal()
  if (!journal.durable) log.warn('BENCH_DISABLE_JOURNAL=1: updates are NOT stored; benchmark use only')
  const presence = new PresenceService(
    adapters.presence,
    { ttlMs: config.presenceTtlMs, writeIntervalMs: config.presenceWriteIntervalMs },
    log,
  )
  const locks = new LockService(
    adapters.locks,
    adapters.bus,
    { defaultTtlMs: config.lockTtlMs, maxTtlMs: config.lockMaxTtlMs },
    log,
  )
  // Automatic versions: after edits go quiet, under constant editing, and when a room unloads (its extension runs
  // in beforeUnload, so a graceful shutdown versions dirty canvases before the final compaction).
  const versioning = createVersioning({
    versions: adapters.history.versions,
    locks: adapters.locks,
    instanceId: adapters.bus.instanceId,
    config: config.versioning,
    log,
    versionCreated: (info) => recordCurrentVersion(adapters.metadata.db, info.canvasId, info.version),
  })
  // Short-lived results of the upgrade's reads; see authorization-cache.ts for why revocation stays immediate.
  const authorizationCache = new AuthorizationCache()
  const registry = new RoomRegistry(
    {
      documents: adapters.documents,
      journal,
      bus: adapters.bus,
      log,
      compactJournalBytes: config.compactJournalBytes,
      folder: adapters.folder,
      extensions: [
        presenceExtension(presence, log),
        locksExtension(locks, presence, log),
        versioning.extension,
        ...adapters.extensions,
      ],
    },
    { unloadGraceMs: config.roomUnloadGraceMs, compactIntervalMs: config.compactIntervalMs },
  )
  adapters.bus.onReconnect(() => registry.repairAll())
  // Every access change travels on the global channel; the registry hands it to the rooms it concerns.
  const globalSubscription = await adapters.bus.subscribe(null, (message) => {
    if (message.kind === 'access')
      registry.accessChanged({ canvasId: message.canvasId, userId: message.userId })
  })
  // Listening before the server does: a cached identity is trusted only while user-wide changes reach the cache.
  const cacheSubscription = await listenForAccessChanges(authorizationCache, adapters.bus)
  const auth = new Authenticator(adapters.sessions, adapters.metadata, config.sessionTtlMs)
  const app = createApp({
    metadata: adapters.metadata,
    documents: adapters.documents,
    auth,
    registry,
    log,
    audit: adapters.audit,
    rateLimiter: adapters.rateLimiter,
    limits: config.rateLimits,
    accessEvents: new LocallyInvalidatingAccessEvents(
      authorizationCache,
      new BusAccessEvents(adapters.bus, log),
    ),
    cookies: { secure: config.cookieSecure, maxAgeSeconds: Math.floor(config.sessionTtlMs / 1000) },
    trustProxy: config.trustProxy,
    realtime: {
      locks,
      presence,
      auditLockBreak: (event) =>
        adapters.audit.audit({
          action: 'lock.break',
          resourceType: 'canvas',
          resourceId: event.canvasId,
          userId: event.userId,
          organizationId: event.organizationId,
          changes: { block_id: event.blockId, holder_id: event.brokenHolderId },
        }),
    },
    history: {
      versions: adapters.history.versions,
      templates: adapters.history.templates,
      comments: adapters.history.comments,
      folder: adapters.folder,
      service: new HistoryService({
        versions: adapters.history.versions,
        documents: adapters.documents,
        registry,
        versioner: versioning.versioner,
        log,
      }),
    },
    readiness: async () => {
      await Promise.all([
        adapters.metadata.ping().catch((error: unknown) => {
          throw new Error(`metadata store: ${String(error)}`)
        }),
        adapters.documents.ping().catch((error: unknown) => {
          throw new Error(`document store: ${String(error)}`)
        }),
      ])
    },
  })
  const upgrades = new CollabUpgradeHandler({
    authorizer: new ConnectAuthorizer({
      identities: auth,
      canvases: adapters.metadata,
      cache: authorizationCache,
    }),
    registry,
    log,
    maxMessageBytes: config.maxMessageBytes,
    allowedOrigins: config.allowedOrigins,
    heartbeatMs: HEARTBEAT_MS,
    wsBudget: config.wsBudget,
  })
  const httpServer = createAdaptorServer({ fetch: app.fetch })
  httpServer.on('upgrade', upgrades.handleUpgrade)

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject)
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject)
      resolve()
    })
  })
  const address = httpServer.address() as AddressInfo
  log.info({ host: address.address, port: address.port }, 'listening')

  let stopping: Promise<void> | null = null
  return {
    address,
    registry,
    shutdown() {
      stopping ??= (async () => {
        log.info('shutting down')
        const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()))
        try {
          await globalSubscription.unsubscribe()
          await cacheSubscription.unsubscribe()
          await registry.shutdown()
        } finally {
          upgrades.close()
          presence.close()
          versioning.close()
          if ('closeAllConnections' in httpServer) httpServer.closeAllConnections()
          await closed
          // Last: room extensions (during the registry's shutdown) and in-flight requests may still have audited.
          await adapters.audit.close()
        }
        log.info('stopped')
      })()
      return stopping
    },
  }
}
