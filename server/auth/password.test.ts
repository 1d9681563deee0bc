import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { hashPassword, verifyPassword } from './password.ts'
import { hashToken, looksLikeToken, newSessionToken } from './tokens.ts'

test('a password verifies against its own hash only', async () => {
  const hash = await hashPassword('correct horse battery')
  assert.ok(hash.startsWith('scrypt$'))
  assert.not.match(hash, 'correct horse')
  assert.ok(await verifyPassword('correct horse battery', hash))
  assert.not.ok(await verifyPassword('correct horse battery!', hash))
  assert.is.not(await hashPassword('correct horse battery'), hash, 'salted')
})

test('malformed stored hashes never verify and never throw', async () => {
  for (const stored of [
    '',
    'scrypt$',
    'bcrypt$1$2$3$4$5',
    'scrypt$x$8$1$AAAA$BBBB',
    'scrypt$16384$8$1$AAAA$BBBB',
  ]) {
    assert.not.ok(await verifyPassword('anything', stored), stored)
  }
})

test('tokens are random, well-formed and hashed', () => {
  const a = newSessionToken()
  const b = newSessionToken()
  assert.is.not(a, b)
  assert.ok(looksLikeToken(a))
  assert.not.ok(looksLikeToken('short'))
  assert.is(hashToken(a).length, 64)
  assert.is(hashToken(a), hashToken(a))
})

test.run()
