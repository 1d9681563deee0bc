import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { parse } from 'hono/utils/cookie'

/** Browsers get the session token in this HttpOnly cookie too; API clients use `Authorization: Bearer`. */
export const SESSION_COOKIE = 'jabiru_session'

export interface CookieSettings {
  /** Secure attribute (HTTPS only). */
  readonly secure: boolean
  readonly maxAgeSeconds: number
}

/**
 * HttpOnly (no script can read it) and SameSite=Strict: browsers never send it on cross-site requests, including
 * cross-site WebSocket handshakes, which is the CSRF protection for cookie-authenticated requests.
 */
export function setSessionCookie(c: Context, token: string, settings: CookieSettings): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: settings.secure,
    path: '/',
    maxAge: settings.maxAgeSeconds,
  })
}

export function clearSessionCookie(c: Context, settings: CookieSettings): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: settings.secure, httpOnly: true, sameSite: 'Strict' })
}

export function sessionCookie(c: Context): string | null {
  return getCookie(c, SESSION_COOKIE) ?? null
}

/** The session token from a raw Cookie header (WebSocket upgrades are plain Node requests, not Hono contexts). */
export function sessionFromCookieHeader(header: string | undefined): string | null {
  if (header === undefined) return null
  return parse(header, SESSION_COOKIE)[SESSION_COOKIE] ?? null
}
