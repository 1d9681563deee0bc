/**
 * A private redis-server (no persistence) on a free loopback port, one per measurement, so no key,
 * channel or session of another run (or of the shared instance the test suites use) is in the way.
 */
import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { connect } from 'node:net'
import { track } from './children.ts'
import { freePort } from './ports.ts'
import { waitFor } from './time.ts'

export interface RedisServer {
  readonly url: string
  stop(): Promise<void>
}

/** True when a PING on `port` gets +PONG (a fresh connection each time, closed at once). */
const pong = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    let reply = ''
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1')
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
  })

/** Starts redis-server (unpinned, like PostgreSQL: a shared service, not the server under test). */
export const startRedis = async (logFile: string): Promise<RedisServer> => {
  const port = await freePort()
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  track(child)
  const log = createWriteStream(logFile, { flags: 'a' })
  child.stdout?.pipe(log)
  child.stderr?.pipe(log)
  let failure: Error | null = null
  child.once('error', (err) => {
    failure = err
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGKILL')
    await exited
  }
  try {
    await waitFor(
      `redis-server on port ${port} (log: ${logFile})`,
      async () => {
        if (failure) throw new Error(`could not start redis-server: ${(failure as Error).message}`)
        if (child.exitCode !== null) throw new Error(`redis-server exited during start-up; see ${logFile}`)
        return pong(port)
      },
      15_000,
      50,
    )
  } catch (err) {
    await stop()
    throw err
  }
  return { url: `redis://127.0.0.1:${port}`, stop }
}
