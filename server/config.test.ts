import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { ConfigError, parseConfig } from './config.ts'

test('defaults give the embedded configuration', () => {
  const config = parseConfig({})
  assert.is(config.port, 1234)
  assert.is(config.host, '127.0.0.1')
  assert.is(config.databaseUrl, null)
  assert.is(config.redisUrl, null)
  assert.is(config.mongo, null)
  assert.is(config.maxMessageBytes, 2 * 1024 * 1024)
  assert.ok(config.journalEnabled)
  assert.ok(Object.isFrozen(config))
})

test('byte sizes accept units', () => {
  assert.is(parseConfig({ MAX_MESSAGE_BYTES: '512KiB' }).maxMessageBytes, 512 * 1024)
  assert.is(parseConfig({ MAX_MESSAGE_BYTES: '4096' }).maxMessageBytes, 4096)
})

test('a bad value names the variable', () => {
  for (const [name, value] of [
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', 'not a url'],
    ['LOG_LEVEL', 'loud'],
    ['MAX_MESSAGE_BYTES', '12 parsecs'],
  ] as const) {
    assert.throws(
      () => parseConfig({ [name]: value }),
      (error: unknown) => error instanceof ConfigError && error.message.includes(name),
      `${name}=${value}`,
    )
  }
})

test('ALLOWED_ORIGINS splits on commas and MONGO_URL enables Mongo', () => {
  const config = parseConfig({
    ALLOWED_ORIGINS: 'https://a.example, https://b.example',
    MONGO_URL: 'mongodb://127.0.0.1:27017',
  })
  assert.equal(config.allowedOrigins, ['https://a.example', 'https://b.example'])
  assert.equal(config.mongo, { url: 'mongodb://127.0.0.1:27017', dbName: 'jabiru' })
})

test('rate limits, WebSocket budgets and audit batching have generous defaults', () => {
  const config = parseConfig({})
  assert.equal(config.rateLimits, { userPerMinute: 1200, ipPerMinute: 300, loginPerAccountPerMinute: 20 })
  assert.equal(config.wsBudget, {
    messagesPerSecond: 1000,
    messageBurst: 5000,
    bytesPerSecond: 16 * 1024 * 1024,
    byteBurst: 64 * 1024 * 1024,
  })
  assert.equal(config.audit, { flushIntervalMs: 200, batchSize: 100 })
  assert.is(config.cookieSecure, false)
  assert.is(config.trustProxy, false)
  assert.ok(Object.isFrozen(config.rateLimits) && Object.isFrozen(config.wsBudget))
})

test('rate limits, budgets, audit batching, cookie and proxy settings are read from the environment', () => {
  const config = parseConfig({
    RATE_LIMIT_USER_PER_MINUTE: '5',
    RATE_LIMIT_IP_PER_MINUTE: '6',
    RATE_LIMIT_LOGIN_PER_MINUTE: '7',
    WS_MESSAGES_PER_SECOND: '10',
    WS_MESSAGE_BURST: '20',
    WS_BYTES_PER_SECOND: '64KiB',
    WS_BYTE_BURST: '4MiB',
    AUDIT_FLUSH_INTERVAL_MS: '50',
    AUDIT_BATCH_SIZE: '3',
    COOKIE_SECURE: '1',
    TRUST_PROXY: '1',
  })
  assert.equal(config.rateLimits, { userPerMinute: 5, ipPerMinute: 6, loginPerAccountPerMinute: 7 })
  assert.equal(config.wsBudget, {
    messagesPerSecond: 10,
    messageBurst: 20,
    bytesPerSecond: 64 * 1024,
    byteBurst: 4 * 1024 * 1024,
  })
  assert.equal(config.audit, { flushIntervalMs: 50, batchSize: 3 })
  assert.is(config.cookieSecure, true)
  assert.is(config.trustProxy, true)
})

test('bad limits name the variable; a byte burst below MAX_MESSAGE_BYTES is refused', () => {
  for (const [name, value] of [
    ['RATE_LIMIT_USER_PER_MINUTE', '0'],
    ['RATE_LIMIT_IP_PER_MINUTE', 'lots'],
    ['RATE_LIMIT_LOGIN_PER_MINUTE', '-1'],
    ['WS_MESSAGES_PER_SECOND', '1.5'],
    ['WS_BYTES_PER_SECOND', '12 parsecs'],
    ['AUDIT_BATCH_SIZE', '0'],
    ['COOKIE_SECURE', 'yes'],
    ['TRUST_PROXY', 'true'],
  ] as const) {
    assert.throws(
      () => parseConfig({ [name]: value }),
      (error: unknown) => error instanceof ConfigError && error.message.includes(name),
      `${name}=${value}`,
    )
  }
  assert.throws(
    () => parseConfig({ MAX_MESSAGE_BYTES: '8MiB', WS_BYTE_BURST: '4MiB' }),
    (error: unknown) => error instanceof ConfigError && error.message.includes('WS_BYTE_BURST'),
  )
})

test('versioning and retention: defaults from the data model, overridable, validated', () => {
  const defaults = parseConfig({})
  assert.equal(defaults.versioning, { quietMs: 30_000, maxIntervalMs: 300_000, keyframeInterval: 20 })
  assert.equal(defaults.retention, { versionDays: 2555, deletedCanvasDays: 2555, deletedCommentDays: 2555 })
  const custom = parseConfig({
    VERSION_QUIET_MS: '200',
    VERSION_MAX_INTERVAL_MS: '100',
    VERSION_KEYFRAME_INTERVAL: '5',
    RETENTION_VERSION_DAYS: '30',
    RETENTION_DELETED_CANVAS_DAYS: '90',
    RETENTION_DELETED_COMMENT_DAYS: '60',
  })
  assert.equal(custom.versioning, { quietMs: 200, maxIntervalMs: 200, keyframeInterval: 5 }, 'max >= quiet')
  assert.equal(custom.retention, { versionDays: 30, deletedCanvasDays: 90, deletedCommentDays: 60 })
  for (const [name, value] of [
    ['VERSION_QUIET_MS', '0'],
    ['VERSION_KEYFRAME_INTERVAL', '0'],
    ['RETENTION_VERSION_DAYS', 'forever'],
  ] as const) {
    assert.throws(
      () => parseConfig({ [name]: value }),
      (error: unknown) => error instanceof ConfigError && error.message.includes(name),
      `${name}=${value}`,
    )
  }
})

test.run()
