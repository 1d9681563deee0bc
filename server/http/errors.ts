import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { ApiError } from '../../shared/api.ts'
import type { Logger } from '../logger.ts'

/** An HTTP error with a JSON body naming what was wrong (and the field, for 400s). */
export class ApiHttpError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    message: string,
    readonly field?: string,
  ) {
    super(status, { message })
  }
}

export const badRequest = (message: string, field?: string) => new ApiHttpError(400, message, field)
export const unauthorized = (message = 'authentication required') => new ApiHttpError(401, message)
export const forbidden = (message = 'not allowed') => new ApiHttpError(403, message)
/** Also used for resources of other organizations: never reveal that they exist. */
export const notFound = (what = 'resource') => new ApiHttpError(404, `${what} not found`)
export const conflict = (message: string, field?: string) => new ApiHttpError(409, message, field)

/** 429 with a Retry-After header (whole seconds, at least 1). */
export class RateLimitedError extends ApiHttpError {
  readonly retryAfterSeconds: number

  constructor(retryAfterMs: number) {
    super(429, 'too many requests; retry later')
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000))
  }
}

export const tooManyRequests = (retryAfterMs: number) => new RateLimitedError(retryAfterMs)

/** The single error handler: HTTPExceptions become their JSON error; anything else is logged and a plain 500. */
export function errorHandler(log: Logger) {
  return (error: Error, c: Context): Response => {
    if (error instanceof RateLimitedError) c.header('Retry-After', String(error.retryAfterSeconds))
    if (error instanceof ApiHttpError) {
      const body: ApiError =
        error.field === undefined ? { error: error.message } : { error: error.message, field: error.field }
      return c.json(body, error.status)
    }
    if (error instanceof HTTPException) {
      return c.json({ error: error.message || 'request failed' } satisfies ApiError, error.status)
    }
    log.error({ err: error, method: c.req.method, path: c.req.path }, 'unhandled error in request')
    return c.json({ error: 'internal server error' } satisfies ApiError, 500)
  }
}
