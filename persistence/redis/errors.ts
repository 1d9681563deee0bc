import { describeError } from '../memory/log.ts'

/** A Redis failure with the adapter operation that hit it; the raw error is kept as `cause`. */
export class RedisAdapterError extends Error {
  override readonly name = 'RedisAdapterError'
  readonly operation: string

  constructor(operation: string, cause: unknown) {
    super(`redis ${operation} failed: ${describeError(cause)}`, { cause })
    this.operation = operation
  }
}

/** Runs one Redis round trip, rethrowing any failure as a RedisAdapterError naming `operation`. */
export async function redisCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof RedisAdapterError) throw error
    throw new RedisAdapterError(operation, error)
  }
}
