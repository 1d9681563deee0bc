import { resolve } from 'node:path'
import { z } from 'zod'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** Bytes: a plain integer, or with a unit (`512KiB`, `2MiB`). */
function parseBytes(raw: string): number | null {
  const match = /^(\d+)\s*(B|KB|KiB|MB|MiB)?$/i.exec(raw.trim())
  if (match === null) return null
  const units: Record<string, number> = { b: 1, kb: 1000, kib: 1024, mb: 1_000_000, mib: 1024 * 1024 }
  return Number(match[1]) * (units[(match[2] ?? 'b').toLowerCase()] ?? 1)
}

/** Data model 5.6.2: canvases and comments are kept 7 years after deletion. */
export const RETENTION_DEFAULT_DAYS = 7 * 365

const port = z.coerce.number().int().min(0).max(65535)
const positiveInt = z.coerce.number().int().positive()
const flag = z.enum(['0', '1']).default('0')
/** A byte size (see parseBytes) of at least `min` bytes. */
const byteSize = (fallback: string, min: number) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const bytes = parseBytes(value)
      if (bytes === null || bytes < min) {
        ctx.addIssue({ code: 'custom', message: `must be a byte size of at least ${min} (e.g. ${fallback})` })
        return z.NEVER
      }
      return bytes
    })
const url = (protocols: readonly string[]) =>
  z.string().refine((value) => URL.canParse(value) && protocols.includes(new URL(value).protocol), {
    message: `must be a ${protocols.join(' or ')} URL`,
  })

const EnvSchema = z.object({
  PORT: port.default(1234),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  MONGO_URL: url(['mongodb:', 'mongodb+srv:']).optional(),
  MONGO_DB: z.string().min(1).default('jabiru'),
  /** Comma-separated origins allowed to open WebSockets; unset = any origin (non-browser clients send none). */
  ALLOWED_ORIGINS: z.string().optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  MAX_MESSAGE_BYTES: byteSize('2MiB', 1024),
  /** How long a canvas stays loaded after its last client left. */
  ROOM_UNLOAD_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  /** Journal entries of a loaded canvas are folded into its stored state at this interval. */
  COMPACT_INTERVAL_MS: positiveInt.default(60_000),
  /** ...or as soon as this many journal bytes accumulated since the last compaction. */
  COMPACT_JOURNAL_BYTES: positiveInt.default(4 * 1024 * 1024),
  SESSION_TTL_HOURS: positiveInt.default(24),
  /** Presence entries (REST presence API, Redis canvas:presence) expire this long after their last refresh. */
  PRESENCE_TTL_MS: z.coerce.number().int().min(500).default(300_000),
  /** Cursor changes are mirrored to the presence store at most this often per connection. */
  PRESENCE_WRITE_INTERVAL_MS: z.coerce.number().int().min(50).default(1000),
  /** Default and maximum block lease length. */
  LOCK_TTL_MS: z.coerce.number().int().min(1000).default(30_000),
  LOCK_MAX_TTL_MS: z.coerce.number().int().min(1000).default(300_000),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
  /**
   * Embedded mode only (no DATABASE_URL/MONGO_URL): fdatasync the journal log before an update is relayed, so
   * accepted edits also survive power loss and kernel crashes, not only the process dying. Costs a disk flush per
   * group commit.
   */
  JOURNAL_FSYNC: z.enum(['0', '1']).default('0'),
  /** Benchmark-only: skip the durable journal to measure its cost. Refused unless set to exactly "1". */
  BENCH_DISABLE_JOURNAL: z.enum(['0', '1']).default('0'),
  /** HTTP requests per signed-in user per endpoint per minute. */
  RATE_LIMIT_USER_PER_MINUTE: positiveInt.default(1200),
  /** Requests before sign-in (signup, login) per client IP per endpoint per minute. */
  RATE_LIMIT_IP_PER_MINUTE: positiveInt.default(300),
  /** Login attempts per account (email) per minute, successful or not. */
  RATE_LIMIT_LOGIN_PER_MINUTE: positiveInt.default(20),
  /** WebSocket budget per connection: sustained messages per second, and the burst on top of it. */
  WS_MESSAGES_PER_SECOND: positiveInt.default(1000),
  WS_MESSAGE_BURST: positiveInt.default(5000),
  /** WebSocket budget per connection in bytes: sustained per second, and the burst (>= MAX_MESSAGE_BYTES). */
  WS_BYTES_PER_SECOND: byteSize('16MiB', 1024),
  WS_BYTE_BURST: byteSize('64MiB', 1024),
  /** Audit rows are written in batches: every this many ms, or as soon as AUDIT_BATCH_SIZE rows wait. */
  AUDIT_FLUSH_INTERVAL_MS: positiveInt.default(200),
  AUDIT_BATCH_SIZE: positiveInt.default(100),
  /** "1": the session cookie gets the Secure attribute (set it when clients reach the server over HTTPS). */
  COOKIE_SECURE: flag,
  /** "1": the client IP is the first X-Forwarded-For entry (only behind a proxy that sets it). */
  TRUST_PROXY: flag,
  /** A version of a canvas is taken once its edits have been quiet this long... */
  VERSION_QUIET_MS: positiveInt.default(30_000),
  /** ...and at least this often while it is edited without pause. */
  VERSION_MAX_INTERVAL_MS: positiveInt.default(300_000),
  /** Every this many versions one stores the full state (a keyframe); the others store a delta. */
  VERSION_KEYFRAME_INTERVAL: z.coerce.number().int().min(1).max(1000).default(20),
  /** Retention (npm run retention): versions older than this are pruned (data model 5.6.2: 7 years). */
  RETENTION_VERSION_DAYS: positiveInt.default(RETENTION_DEFAULT_DAYS),
  /** Canvases soft-deleted longer than this are purged with their document, history and comments. */
  RETENTION_DELETED_CANVAS_DAYS: positiveInt.default(RETENTION_DEFAULT_DAYS),
  /** Comments deleted longer than this are purged. */
  RETENTION_DELETED_COMMENT_DAYS: positiveInt.default(RETENTION_DEFAULT_DAYS),
})

/** HTTP rate limits, each per minute. */
export interface RateLimitConfig {
  readonly userPerMinute: number
  readonly ipPerMinute: number
  readonly loginPerAccountPerMinute: number
}

/** Token buckets of one WebSocket connection. */
export interface WsBudgetConfig {
  readonly messagesPerSecond: number
  readonly messageBurst: number
  readonly bytesPerSecond: number
  readonly byteBurst: number
}

export interface AuditConfig {
  readonly flushIntervalMs: number
  readonly batchSize: number
}

/** Automatic versions (server/history). */
export interface VersioningConfig {
  readonly quietMs: number
  readonly maxIntervalMs: number
  readonly keyframeInterval: number
}

/** Retention periods in days (scripts/retention.ts). */
export interface RetentionConfig {
  readonly versionDays: number
  readonly deletedCanvasDays: number
  readonly deletedCommentDays: number
}

export interface Config {
  readonly port: number
  readonly host: string
  readonly dataDir: string
  readonly databaseUrl: string | null
  readonly redisUrl: string | null
  readonly mongo: { readonly url: string; readonly dbName: string } | null
  readonly allowedOrigins: readonly string[] | null
  readonly logLevel: (typeof LOG_LEVELS)[number]
  readonly maxMessageBytes: number
  readonly roomUnloadGraceMs: number
  readonly compactIntervalMs: number
  readonly compactJournalBytes: number
  readonly sessionTtlMs: number
  readonly presenceTtlMs: number
  readonly presenceWriteIntervalMs: number
  readonly lockTtlMs: number
  readonly lockMaxTtlMs: number
  readonly shutdownTimeoutMs: number
  readonly journalEnabled: boolean
  readonly journalFsync: boolean
  readonly rateLimits: RateLimitConfig
  readonly wsBudget: WsBudgetConfig
  readonly audit: AuditConfig
  readonly cookieSecure: boolean
  readonly trustProxy: boolean
  readonly versioning: VersioningConfig
  readonly retention: RetentionConfig
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

/** Parses the environment once into a frozen Config; throws a ConfigError naming every bad variable. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): Config {
  // Empty strings count as unset, as shells and .env files often produce them.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  )
  const parsed = EnvSchema.safeParse(present)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`)
  }
  const e = parsed.data
  if (e.WS_BYTE_BURST < e.MAX_MESSAGE_BYTES) {
    // A burst smaller than the largest message would close every connection that sends one such message.
    throw new ConfigError(
      `invalid configuration: WS_BYTE_BURST: must be at least MAX_MESSAGE_BYTES (${e.MAX_MESSAGE_BYTES})`,
    )
  }
  const origins = e.ALLOWED_ORIGINS?.split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0)
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL ?? null,
    redisUrl: e.REDIS_URL ?? null,
    mongo: e.MONGO_URL === undefined ? null : Object.freeze({ url: e.MONGO_URL, dbName: e.MONGO_DB }),
    allowedOrigins: origins === undefined ? null : Object.freeze(origins),
    logLevel: e.LOG_LEVEL,
    maxMessageBytes: e.MAX_MESSAGE_BYTES,
    roomUnloadGraceMs: e.ROOM_UNLOAD_GRACE_MS,
    compactIntervalMs: e.COMPACT_INTERVAL_MS,
    compactJournalBytes: e.COMPACT_JOURNAL_BYTES,
    sessionTtlMs: e.SESSION_TTL_HOURS * 3600_000,
    presenceTtlMs: e.PRESENCE_TTL_MS,
    presenceWriteIntervalMs: e.PRESENCE_WRITE_INTERVAL_MS,
    lockTtlMs: e.LOCK_TTL_MS,
    lockMaxTtlMs: Math.max(e.LOCK_MAX_TTL_MS, e.LOCK_TTL_MS),
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    journalEnabled: e.BENCH_DISABLE_JOURNAL !== '1',
    journalFsync: e.JOURNAL_FSYNC === '1',
    rateLimits: Object.freeze({
      userPerMinute: e.RATE_LIMIT_USER_PER_MINUTE,
      ipPerMinute: e.RATE_LIMIT_IP_PER_MINUTE,
      loginPerAccountPerMinute: e.RATE_LIMIT_LOGIN_PER_MINUTE,
    }),
    wsBudget: Object.freeze({
      messagesPerSecond: e.WS_MESSAGES_PER_SECOND,
      messageBurst: e.WS_MESSAGE_BURST,
      bytesPerSecond: e.WS_BYTES_PER_SECOND,
      byteBurst: e.WS_BYTE_BURST,
    }),
    audit: Object.freeze({ flushIntervalMs: e.AUDIT_FLUSH_INTERVAL_MS, batchSize: e.AUDIT_BATCH_SIZE }),
    cookieSecure: e.COOKIE_SECURE === '1',
    trustProxy: e.TRUST_PROXY === '1',
    versioning: Object.freeze({
      quietMs: e.VERSION_QUIET_MS,
      maxIntervalMs: Math.max(e.VERSION_MAX_INTERVAL_MS, e.VERSION_QUIET_MS),
      keyframeInterval: e.VERSION_KEYFRAME_INTERVAL,
    }),
    retention: Object.freeze({
      versionDays: e.RETENTION_VERSION_DAYS,
      deletedCanvasDays: e.RETENTION_DELETED_CANVAS_DAYS,
      deletedCommentDays: e.RETENTION_DELETED_COMMENT_DAYS,
    }),
  })
}
