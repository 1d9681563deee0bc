import { randomBytes } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { waitFor } from '../../test/support/wait.ts'
import type { Session, SessionStore } from '../ports.ts'

/** A store plus a way to make users it accepts (the SQL store needs real `users` rows for its foreign key). */
export interface SessionHarness {
  readonly store: SessionStore
  newUser(): Promise<{ userId: string; organizationId: string }>
}

const DAY_MS = 24 * 60 * 60 * 1000
/** Long enough to be read back before it expires, short enough to wait for. */
const SHORT_LIFETIME_MS = 1_000
const EXPIRY_TIMEOUT_MS = 5_000
const TOKEN_HASH_BYTES = 32

export function sessionConformance(
  name: string,
  makeHarness: () => Promise<SessionHarness>,
  teardown?: () => Promise<void>,
): void {
  const test = suite<{ harness: SessionHarness }>(`SessionStore conformance: ${name}`)

  /** A session for a new user (or `owner`), expiring `lifetimeMs` from now. Millisecond times, as stored. */
  const session = async (
    harness: SessionHarness,
    lifetimeMs = DAY_MS,
    owner?: { userId: string; organizationId: string },
  ): Promise<Session> => {
    const { userId, organizationId } = owner ?? (await harness.newUser())
    const now = Date.now()
    return {
      tokenHash: randomBytes(TOKEN_HASH_BYTES).toString('hex'),
      userId,
      organizationId,
      createdAt: new Date(now),
      expiresAt: new Date(now + lifetimeMs),
    }
  }

  test.before.each(async (context) => {
    context.harness = await makeHarness()
  })

  test.after.each(async (context) => {
    await context.harness.store.close()
  })

  if (teardown !== undefined) test.after(teardown)

  test('create then get returns the session', async ({ harness }) => {
    const created = await session(harness)
    await harness.store.create(created)
    assert.equal(await harness.store.get(created.tokenHash), created)
  })

  test('an unknown hash is null', async ({ harness }) => {
    assert.is(await harness.store.get(randomBytes(TOKEN_HASH_BYTES).toString('hex')), null)
  })

  test('an expired session is null', async ({ harness }) => {
    const past = await session(harness, -1_000)
    await harness.store.create(past)
    assert.is(await harness.store.get(past.tokenHash), null)

    const short = await session(harness, SHORT_LIFETIME_MS)
    await harness.store.create(short)
    assert.equal(await harness.store.get(short.tokenHash), short)
    await waitFor(
      'session expiry',
      async () => ((await harness.store.get(short.tokenHash)) === null ? true : undefined),
      EXPIRY_TIMEOUT_MS,
    )
  })

  test('revoke makes the session unknown; revoking twice or an unknown hash is fine', async ({ harness }) => {
    const owner = await harness.newUser()
    const revoked = await session(harness, DAY_MS, owner)
    const kept = await session(harness, DAY_MS, owner)
    await harness.store.create(revoked)
    await harness.store.create(kept)
    await harness.store.revoke(revoked.tokenHash)
    assert.is(await harness.store.get(revoked.tokenHash), null)
    await harness.store.revoke(revoked.tokenHash)
    await harness.store.revoke(randomBytes(TOKEN_HASH_BYTES).toString('hex'))
    assert.equal(await harness.store.get(kept.tokenHash), kept)
    // A revoked session no longer counts for revokeAllForUser.
    assert.is(await harness.store.revokeAllForUser(owner.userId), 1)
  })

  test('revokeAllForUser revokes every live session of that user and counts them', async ({ harness }) => {
    const owner = await harness.newUser()
    const other = await harness.newUser()
    const mine = [
      await session(harness, DAY_MS, owner),
      await session(harness, DAY_MS, owner),
      await session(harness, 2 * DAY_MS, owner),
    ]
    const expired = await session(harness, -1_000, owner)
    const theirs = await session(harness, DAY_MS, other)
    for (const s of [...mine, expired, theirs]) await harness.store.create(s)

    assert.is(await harness.store.revokeAllForUser(owner.userId), mine.length)
    for (const s of mine) assert.is(await harness.store.get(s.tokenHash), null)
    assert.equal(await harness.store.get(theirs.tokenHash), theirs)
    assert.is(await harness.store.revokeAllForUser(owner.userId), 0)

    // The user can sign in again afterwards, and that session can be revoked in turn.
    const again = await session(harness, DAY_MS, owner)
    await harness.store.create(again)
    assert.equal(await harness.store.get(again.tokenHash), again)
    assert.is(await harness.store.revokeAllForUser(owner.userId), 1)
  })

  test('revokeAllForUser for a user without sessions is 0', async ({ harness }) => {
    const nobody = await harness.newUser()
    assert.is(await harness.store.revokeAllForUser(nobody.userId), 0)
  })

  test.run()
}
