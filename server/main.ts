/**
 * Composition root: the only place that reads the environment and picks adapters.
 * No env: PGlite under DATA_DIR, in-process bus, SQL document store and sessions.
 * DATABASE_URL -> PostgreSQL; REDIS_URL -> Redis bus, sessions and rate limits; MONGO_URL -> MongoDB documents.
 */
import { setFlagsFromString } from 'node:v8'
import { MemoryBus } from '../persistence/memory/bus.ts'
import { MemoryLockManager } from '../persistence/memory/locks.ts'
import { MemoryPresenceStore } from '../persistence/memory/presence.ts'
import { MemoryRateLimiter } from '../persistence/memory/rate-limiter.ts'
import type { Bus, LockManager, PresenceStore, RateLimiter, SessionStore } from '../persistence/ports.ts'
import { RedisBus } from '../persistence/redis/bus.ts'
import { RedisLockManager } from '../persistence/redis/locks.ts'
import { RedisPresenceStore } from '../persistence/redis/presence.ts'
import { RedisRateLimiter } from '../persistence/redis/rate-limiter.ts'
import { RedisSessionStore } from '../persistence/redis/session-store.ts'
import { AuditLogStore } from '../persistence/sql/audit-store.ts'
import { openSqlDatabase } from '../persistence/sql/connect.ts'
import { sqlHistoryStores } from '../persistence/sql/history-stores.ts'
import { MetadataStore } from '../persistence/sql/metadata-store.ts'
import { SqlSessionStore } from '../persistence/sql/session-store.ts'
import { migrateToLatest } from '../schema/migrate.ts'
import { AccessChecker } from './access/access-check.ts'
import { AccessRevocationExtension } from './access/revocation-extension.ts'
import { AuditWriter } from './audit/audit-writer.ts'
import { ThreadStateFolder } from './compaction/state-folder.ts'
import { type Config, ConfigError, parseConfig } from './config.ts'
import { documentStoreKind, openDocumentStore } from './document-store-for.ts'
import type { HistoryStores } from './history/components.ts'
import { createLogger, type Logger } from './logger.ts'
import { startServer } from './server.ts'
import { sqlTargetFor } from './sql-target.ts'

/** Versions, templates and comments live beside the documents: MongoDB with MONGO_URL, else SQL. */
async function openHistoryStores(config: Config, sqlStores: () => HistoryStores): Promise<HistoryStores> {
  if (config.mongo === null) return sqlStores()
  const { connectMongoHistoryStores } = await import('../persistence/mongo/history-stores.ts')
  return connectMongoHistoryStores(config.mongo.url, config.mongo.dbName)
}

async function main(log: Logger, config: Config): Promise<void> {
  const sqlTarget = sqlTargetFor(config, {
    onIdleError: (error) => log.warn({ err: error }, 'idle PostgreSQL connection lost; the pool reconnects'),
    onWarning: (message) => log.warn(message),
  })
  const db = openSqlDatabase(sqlTarget)
  const applied = await migrateToLatest(db)
  for (const migration of applied) log.info({ migration: migration.migrationName }, 'migration applied')

  const documents = await openDocumentStore(config, db, (message, details) => log.warn(details, message))
  const history = await openHistoryStores(config, () => sqlHistoryStores(db))
  // Each Redis adapter opens its own connection from the URL and logs through the server's logger.
  const redis = config.redisUrl === null ? null : { redis: config.redisUrl, logger: log }
  const sessions: SessionStore = redis !== null ? new RedisSessionStore(redis) : new SqlSessionStore(db)
  const bus: Bus = redis !== null ? new RedisBus(redis) : new MemoryBus({ logger: log })
  const presence: PresenceStore = redis !== null ? new RedisPresenceStore(redis) : new MemoryPresenceStore()
  const locks: LockManager = redis !== null ? new RedisLockManager(redis) : new MemoryLockManager()
  const rateLimiter: RateLimiter = redis !== null ? new RedisRateLimiter(redis) : new MemoryRateLimiter()
  if (config.redisUrl !== null && config.databaseUrl === null && config.mongo === null) {
    log.warn(
      'REDIS_URL without DATABASE_URL or MONGO_URL: instances would not share documents; run one instance',
    )
  }
  log.info(
    {
      metadata: sqlTarget.kind,
      documents: documentStoreKind(config),
      realtime: config.redisUrl === null ? 'in-process' : 'redis',
      journal: config.journalEnabled ? 'durable' : 'DISABLED',
    },
    'adapters',
  )

  const metadata = new MetadataStore(db)
  const audit = new AuditWriter(new AuditLogStore(db), { ...config.audit, log })
  const revocation = new AccessRevocationExtension({
    checker: new AccessChecker({ sessions, metadata }),
    log,
  })
  await revocation.start(bus)
  const folder = new ThreadStateFolder((message) => log.warn(message))
  const server = await startServer(
    config,
    {
      metadata,
      documents,
      sessions,
      bus,
      presence,
      locks,
      rateLimiter,
      audit,
      history,
      extensions: [revocation],
      folder,
    },
    log,
  )

  const stop = (signal: string) => {
    log.info({ signal }, 'signal received')
    const timer = setTimeout(() => {
      log.error('shutdown timed out; exiting')
      process.exit(1)
    }, config.shutdownTimeoutMs)
    timer.unref()
    server
      .shutdown()
      .then(async () => {
        await revocation.close()
        await Promise.all([
          folder.close(),
          bus.close(),
          sessions.close(),
          documents.close(),
          presence.close(),
          locks.close(),
          rateLimiter.close(),
          history.close(),
        ])
        await db.destroy()
        process.exit(0)
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      })
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}

/** Old-generation floor of the worker threads' isolates, in MB. */
const WORKER_OLD_SPACE_FLOOR_MB = 128

let config: Config
try {
  config = parseConfig(process.env)
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  console.error(error.message)
  process.exit(2)
}
const log = createLogger(config.logLevel)
// V8 reads its flags when an isolate starts. `npm start` gives the event loop's isolate a 256 MB old-generation
// floor; the worker threads (PGlite, compaction), started below, get 128 MB: nothing forces their collections, so a
// higher floor would only let their garbage grow (README, "npm start starts V8's old-generation limit at 256 MB").
setFlagsFromString(`--initial-old-space-size=${WORKER_OLD_SPACE_FLOOR_MB}`)
process.on('unhandledRejection', (error) => log.error({ err: error }, 'unhandled rejection'))
main(log, config).catch((error: unknown) => {
  log.fatal({ err: error }, 'start-up failed')
  process.exit(1)
})
