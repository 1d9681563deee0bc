import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { waitFor } from './wait.ts'

const ROOT = resolve(import.meta.dirname, '..', '..')

export interface ServerProcess {
  readonly port: number
  readonly httpUrl: string
  /** y-websocket `serverUrl`. */
  readonly wsUrl: string
  readonly dataDir: string
  readonly logs: string[]
  /** Sends a signal and waits for the process to exit; returns its exit code (null when killed). */
  stop(signal?: NodeJS.Signals): Promise<number | null>
  /** Starts a new process on the same port, data and environment. */
  restart(): Promise<ServerProcess>
}

export interface ServerOptions {
  readonly env?: Readonly<Record<string, string>>
  readonly dataDir?: string
  readonly port?: number
}

/** A fresh temporary DATA_DIR; removed by the returned cleanup. */
export function tempDataDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'jabiru-test-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * Starts `server/main.ts` as a real child process (PORT=0 unless given) and waits for its "listening" log line
 * and /readyz. Logs are kept for failure messages.
 */
export async function startServerProcess(options: ServerOptions = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? tempDataDir().dir
  const logs: string[] = []
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: String(options.port ?? 0),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ROOM_UNLOAD_GRACE_MS: '200',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let port: number | null = null
  let exitCode: number | null | undefined
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      exitCode = code
      done(code)
    }),
  )
  const onLine = (line: string) => {
    if (line.trim() === '') return
    logs.push(line)
    if (port === null && line.includes('"msg":"listening"')) {
      const parsed: unknown = JSON.parse(line)
      if (
        typeof parsed === 'object' &&
        parsed !== null &&
        'port' in parsed &&
        typeof parsed.port === 'number'
      ) {
        port = parsed.port
      }
    }
  }
  let buffered = ''
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString('utf8')
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) onLine(line)
  }
  child.stdout?.on('data', onData)
  child.stderr?.on('data', onData)

  const listeningPort = await waitFor(
    'server to listen',
    () => {
      if (exitCode !== undefined) throw new Error(`server exited with ${exitCode}:\n${logs.join('\n')}`)
      return port ?? undefined
    },
    60_000,
  ).catch((error: unknown) => {
    child.kill('SIGKILL')
    throw new Error(`${String(error)}\n${logs.slice(-20).join('\n')}`)
  })
  const httpUrl = `http://127.0.0.1:${listeningPort}`
  await waitFor('readyz', async () => ((await fetch(`${httpUrl}/readyz`)).ok ? true : undefined), 30_000)

  const server: ServerProcess = {
    port: listeningPort,
    httpUrl,
    wsUrl: `ws://127.0.0.1:${listeningPort}/collab`,
    dataDir,
    logs,
    async stop(signal = 'SIGTERM') {
      if (exitCode === undefined) child.kill(signal)
      return exited
    },
    async restart() {
      if (exitCode === undefined) throw new Error('stop the server before restarting it')
      return startServerProcess({ ...options, dataDir, port: listeningPort })
    },
  }
  return server
}
