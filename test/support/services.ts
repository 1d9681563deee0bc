import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import pg from 'pg'

/**
 * Real services for conformance and end-to-end suites. When a service is unreachable the suite is skipped,
 * unless REQUIRE_SERVICES=1 (CI), where it fails instead.
 */
export const requireServices = process.env.REQUIRE_SERVICES === '1'

const POSTGRES_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const REDIS_TEST_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

export class ServiceUnavailable extends Error {
  override readonly name = 'ServiceUnavailable'
}

function unavailable(service: string, cause: unknown): null {
  const message = `${service} is not reachable: ${cause instanceof Error ? cause.message : String(cause)}`
  if (requireServices) throw new ServiceUnavailable(`${message} (REQUIRE_SERVICES=1)`)
  console.warn(`skipping ${service} suite: ${message}`)
  return null
}

export interface TestPostgres {
  readonly url: string
  drop(): Promise<void>
}

/** A fresh, empty PostgreSQL database for one suite, or null (skip) when PostgreSQL is not reachable. */
export async function createTestPostgres(): Promise<TestPostgres | null> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 })
  try {
    await admin.connect()
  } catch (error) {
    await admin.end().catch(() => undefined)
    return unavailable('PostgreSQL', error)
  }
  const name = `jabiru_test_${randomBytes(6).toString('hex')}`
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
      await client.connect()
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await client.end()
      }
    },
  }
}

export interface TestRedis {
  readonly url: string
  /** A key prefix unique to this suite, so suites sharing one Redis never see each other's keys. */
  readonly prefix: string
}

/** Redis for one suite, or null (skip) when Redis is not reachable. */
export async function createTestRedis(): Promise<TestRedis | null> {
  const client = new Redis(REDIS_TEST_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
  })
  client.on('error', () => undefined) // connection errors surface through connect() below
  try {
    await client.connect()
    await client.ping()
  } catch (error) {
    client.disconnect()
    return unavailable('Redis', error)
  }
  await client.quit()
  return { url: REDIS_TEST_URL, prefix: `test:${randomBytes(4).toString('hex')}:` }
}

/** MONGO_URL when set; there is no MongoDB on CI machines, so Mongo suites run only where one is provided. */
export function testMongoUrl(): string | null {
  return process.env.MONGO_URL ?? null
}
