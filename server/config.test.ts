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

test.run()
