import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import { redisCall } from './errors.ts'

/**
 * A Lua script run by EVALSHA, falling back to EVAL when the server does not have it cached (first use, restart,
 * SCRIPT FLUSH). Unlike ioredis defineCommand it does not add commands to a connection the caller may share.
 */
export class LuaScript {
  private readonly sha: string

  constructor(
    /** Names the operation in error messages. */
    private readonly operation: string,
    private readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex')
  }

  run(client: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    return redisCall(this.operation, async () => {
      try {
        return await client.evalsha(this.sha, keys.length, ...keys, ...args)
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error
        return await client.eval(this.source, keys.length, ...keys, ...args)
      }
    })
  }
}
