import { randomBytes } from 'node:crypto'

const LOCK_TOKEN_BYTES = 16

/** A lease token: 128 random bits as hex. Knowing it is what entitles a holder to renew or release. */
export function newLockToken(): string {
  return randomBytes(LOCK_TOKEN_BYTES).toString('hex')
}
