import { createHash, randomBytes } from 'node:crypto'

/** Opaque bearer token: 256 random bits, URL-safe. Only its SHA-256 is ever stored. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url')
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** Cheap shape check before any store lookup. */
export function looksLikeToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value)
}
