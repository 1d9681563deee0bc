import { Redis, type RedisOptions } from 'ioredis'
import { type AdapterLogger, consoleLogger, describeError } from '../memory/log.ts'

/** What every Redis adapter is built from. */
export interface RedisAdapterOptions {
  /** A connection the caller owns (never closed by the adapter) or a URL (the adapter opens and closes its own). */
  readonly redis: Redis | string
  /** Put in front of every key and channel; must not contain braces (hash tags). Default ''. */
  readonly prefix?: string
  readonly logger?: AdapterLogger
}

/** A connection plus whether this adapter created it: close() must only close what it created. */
export class RedisHandle {
  private closed = false

  private constructor(
    readonly client: Redis,
    private readonly owned: boolean,
    private readonly logger: AdapterLogger,
  ) {}

  /** Uses the caller's connection as is, or opens one for `url` whose errors are logged (ioredis reconnects). */
  static open(source: Redis | string, name: string, logger: AdapterLogger = consoleLogger): RedisHandle {
    if (typeof source !== 'string') return new RedisHandle(source, false, logger)
    return RedisHandle.own(new Redis(source, { connectionName: name }), name, logger)
  }

  /** Takes ownership of a connection this adapter made (e.g. a duplicate()), with extra options already applied. */
  static own(client: Redis, name: string, logger: AdapterLogger = consoleLogger): RedisHandle {
    client.on('error', (error: unknown) => {
      logger.warn({ connection: name, error: describeError(error) }, 'redis connection error')
    })
    return new RedisHandle(client, true, logger)
  }

  /** Quits an owned connection (disconnecting if QUIT cannot be sent); leaves a borrowed one untouched. */
  async close(): Promise<void> {
    if (this.closed || !this.owned) return
    this.closed = true
    try {
      await this.client.quit()
    } catch (error) {
      this.logger.warn({ error: describeError(error) }, 'redis QUIT failed; disconnecting')
      this.client.disconnect()
    }
  }
}

/** Options for a connection derived from a caller's client or URL (used for the bus subscriber). */
export function openDerived(source: Redis | string, overrides: Partial<RedisOptions>): Redis {
  return typeof source === 'string' ? new Redis(source, overrides) : source.duplicate(overrides)
}
