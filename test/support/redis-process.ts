import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'
import { waitFor } from './wait.ts'

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject()))
    })
  })
}

export interface RedisProcess {
  readonly url: string
  stop(): Promise<void>
  start(): Promise<void>
}

/**
 * A private redis-server (no persistence) on a free port, so a test can stop and restart Redis without disturbing
 * the shared instance other suites use. Null when the redis-server binary is missing (the caller skips or fails).
 */
export async function startRedisProcess(): Promise<RedisProcess | null> {
  const port = await freePort()
  let child: ChildProcess | null = null
  const url = `redis://127.0.0.1:${port}`
  const start = async () => {
    const spawned = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    )
    child = spawned
    const failed = new Promise<Error>((resolve) => spawned.once('error', resolve))
    await waitFor('redis-server to answer', async () => {
      const error = await Promise.race([failed, Promise.resolve(null)])
      if (error !== null) throw error
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      client.on('error', () => undefined)
      try {
        await client.connect()
        return (await client.ping()) === 'PONG' ? true : undefined
      } finally {
        client.disconnect()
      }
    })
  }
  const stop = async () => {
    const running = child
    if (running === null || running.exitCode !== null) return
    const exited = new Promise((resolve) => running.once('exit', resolve))
    running.kill('SIGKILL')
    await exited
  }
  try {
    await start()
  } catch (error) {
    await stop()
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null
    throw error
  }
  return { url, stop, start }
}
