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

const port = z.coerce.number().int().min(0).max(65535)
const positiveInt = z.coerce.number().int().positive()
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
  MAX_MESSAGE_BYTES: z
    .string()
    .default('2MiB')
    .transform((value, ctx) => {
      const bytes = parseBytes(value)
      if (bytes === null || bytes < 1024) {
        ctx.addIssue({ code: 'custom', message: 'must be a byte size of at least 1024 (e.g. 2MiB)' })
        return z.NEVER
      }
      return bytes
    }),
  /** How long a canvas stays loaded after its last client left. */
  ROOM_UNLOAD_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  /** Journal entries of a loaded canvas are folded into its stored state at this interval. */
  COMPACT_INTERVAL_MS: positiveInt.default(60_000),
  /** ...or as soon as this many journal bytes accumulated since the last compaction. */
  COMPACT_JOURNAL_BYTES: positiveInt.default(4 * 1024 * 1024),
  SESSION_TTL_HOURS: positiveInt.default(24),
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(10_000),
  /** Benchmark-only: skip the durable journal to measure its cost. Refused unless set to exactly "1". */
  BENCH_DISABLE_JOURNAL: z.enum(['0', '1']).default('0'),
})

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
  readonly shutdownTimeoutMs: number
  readonly journalEnabled: boolean
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
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    journalEnabled: e.BENCH_DISABLE_JOURNAL !== '1',
  })
}
