/**
 * Starts a server under test in its own process, pinned to the server core, with the probe
 * preloaded; gives the orchestrator its CPU, memory and event-loop delay, and targets to connect to.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Target } from '../clients/raw-client.ts'
import { track } from '../lib/children.ts'
import { pinned, SERVER_CORE } from '../lib/cpu-pin.ts'
import { freePort } from '../lib/ports.ts'
import { cpuSeconds, rssBytes } from '../lib/proc.ts'
import { sleep, waitFor } from '../lib/time.ts'
import type { ServerSpec } from './catalog.ts'
import { createCanvases, type JabiruSession, openSession } from './jabiru-api.ts'

const BENCH_DIR = fileURLToPath(new URL('../..', import.meta.url))
export const REPO_DIR = fileURLToPath(new URL('../../..', import.meta.url))
const PROBE = new URL('./probe.mjs', import.meta.url).href
const JABIRU_MAIN = join(REPO_DIR, 'server', 'main.ts')

/**
 * The Node flags of Jabiru's `npm start` (root package.json, `node <flags> --import tsx server/main.ts`). Every
 * server of the bench runs with them (the peers too): Jabiru as it is started in production, and the peers on the
 * same runtime settings, so the comparison is between servers, not GC configurations.
 */
export const serverNodeFlags = (): string[] => {
  const pkg = JSON.parse(readFileSync(join(REPO_DIR, 'package.json'), 'utf8')) as {
    scripts?: { start?: string }
  }
  const tokens = (pkg.scripts?.start ?? '').split(/\s+/)
  if (tokens[0] !== 'node') throw new Error(`Jabiru's start script does not run node: ${pkg.scripts?.start}`)
  const flags: string[] = []
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i] ?? ''
    if (token === '--import') i++
    else if (token.startsWith('--')) flags.push(token)
    else break
  }
  return flags
}

/** BENCH_EXTRA_NODE_FLAGS (experiments only, e.g. "--trace-gc"): added to every server's flags. */
export const extraNodeFlags = (): string[] =>
  (process.env.BENCH_EXTRA_NODE_FLAGS ?? '').split(/\s+/).filter((flag) => flag !== '')

const READY_TIMEOUT_MS = 90_000

const PEER_SCRIPT: Record<Exclude<ServerSpec['kind'], 'jabiru'>, string> = {
  hocuspocus: 'src/servers/hocuspocus.mjs',
  reference: 'src/servers/reference.mjs',
  relay: 'src/servers/relay.mjs',
}

export interface LaunchOptions {
  /** Jabiru: its DATA_DIR (reuse it to restart on the same storage). */
  readonly dataDir: string
  /** Peers: stored canvases (BENCH_STORE_DIR), if any. */
  readonly storeDir?: string
  /** Server stdout/stderr go here. */
  readonly logFile: string
  /** Extra environment (e.g. Jabiru's COMPACT_INTERVAL_MS for S7). */
  readonly env?: Readonly<Record<string, string>>
  /**
   * Jabiru on PostgreSQL: this database (from `createBenchDatabase`) instead of a fresh one, so two
   * instances can share it (S6).
   */
  readonly databaseUrl?: string
}

export interface EventLoopDelay {
  readonly p50: number
  readonly p99: number
  readonly max: number
  readonly samples: number
}

export interface MemoryUsage {
  readonly rss: number
  readonly heapUsed: number
  readonly external: number
  readonly arrayBuffers: number
}

interface ProbeReply {
  readonly probe: true
  readonly id: number
  readonly ok: boolean
  readonly result?: unknown
  readonly error?: string
}

export const jabiruAvailable = (): boolean => existsSync(JABIRU_MAIN)

export class RunningServer {
  readonly spec: ServerSpec
  readonly port: number
  private readonly child: ChildProcess
  private readonly pending = new Map<number, (reply: ProbeReply) => void>()
  private nextProbeId = 1
  private session: JabiruSession | null = null
  private exited = false

  constructor(spec: ServerSpec, port: number, child: ChildProcess) {
    this.spec = spec
    this.port = port
    this.child = child
    child.on('message', (raw: unknown) => {
      const reply = raw as ProbeReply
      if (reply?.probe !== true) return
      this.pending.get(reply.id)?.(reply)
      this.pending.delete(reply.id)
    })
    child.on('exit', () => {
      this.exited = true
    })
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.spec.name} has no pid`)
    return this.child.pid
  }

  get alive(): boolean {
    return !this.exited
  }

  /** The exit code once exited (null while running, or after a signal such as stop()'s SIGKILL). */
  get exitCode(): number | null {
    return this.child.exitCode
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`
  }

  private probe<T>(op: string, extra: Record<string, unknown> = {}): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.spec.name} has exited`))
    return new Promise<T>((resolve, reject) => {
      const id = this.nextProbeId++
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new Error(`${this.spec.name}: probe ${op} got no answer in 30 s`))
      }, 30_000)
      this.pending.set(id, (reply) => {
        clearTimeout(timer)
        if (reply.ok) resolve(reply.result as T)
        else reject(new Error(`${this.spec.name}: probe ${op} failed: ${reply.error}`))
      })
      this.child.send({ probe: true, id, op, ...extra })
    })
  }

  cpuSeconds(): number {
    return cpuSeconds(this.pid)
  }

  rssBytes(): number {
    return rssBytes(this.pid)
  }

  resetEventLoopDelay(): Promise<void> {
    return this.probe('eld-reset')
  }

  eventLoopDelay(): Promise<EventLoopDelay> {
    return this.probe('eld-read')
  }

  /** Runs a full GC in the server and returns its memory usage afterwards. */
  gc(): Promise<MemoryUsage> {
    return this.probe('gc')
  }

  startProfile(): Promise<void> {
    return this.probe('prof-start')
  }

  stopProfile(file: string): Promise<void> {
    return this.probe('prof-stop', { file })
  }

  /** Jabiru: the signed-up session (created on first use, kept across restarts on the same data). */
  async jabiruSession(runId: string): Promise<JabiruSession> {
    if (!this.session) this.session = await openSession(this.base, runId)
    return this.session
  }

  adoptSession(session: JabiruSession): void {
    this.session = { ...session, base: this.base }
  }

  /** Jabiru: targets for canvases that already exist (e.g. after a restart on the same data). */
  async existingCanvases(ids: readonly string[], runId: string): Promise<Target[]> {
    if (this.spec.kind !== 'jabiru') return this.canvases(ids, runId)
    const token = encodeURIComponent((await this.jabiruSession(runId)).token)
    return ids.map((id) => ({
      flavor: 'yws',
      url: `ws://127.0.0.1:${this.port}/collab/${id}?token=${token}`,
      docName: id,
      token: '',
    }))
  }

  /** Targets for fresh canvases named `names` (Jabiru: created over HTTP first). */
  async canvases(names: readonly string[], runId: string): Promise<Target[]> {
    const ws = `ws://127.0.0.1:${this.port}`
    switch (this.spec.kind) {
      case 'jabiru': {
        const session = await this.jabiruSession(runId)
        const ids = await createCanvases(session, names)
        const token = encodeURIComponent(session.token)
        return ids.map((id) => ({
          flavor: 'yws',
          url: `${ws}/collab/${id}?token=${token}`,
          docName: id,
          token: '',
        }))
      }
      case 'hocuspocus':
        return names.map((name) => ({ flavor: 'hocuspocus', url: `${ws}/`, docName: name, token: 'bench' }))
      case 'reference':
      case 'relay':
        return names.map((name) => ({ flavor: 'yws', url: `${ws}/${name}`, docName: name, token: '' }))
    }
  }

  /** SIGTERM, then SIGKILL if the process has not exited within `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exited) return
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    this.child.kill('SIGTERM')
    const graceful = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)])
    if (!graceful) {
      this.child.kill('SIGKILL')
      await exited
    }
  }
}

/** Admin connection for creating bench databases (trust auth on loopback, as on the dev and CI machines). */
const POSTGRES_ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A fresh, empty database per launch, so every run migrates and starts from nothing like the PGlite runs. */
export function createBenchDatabase(): string {
  const name = `jabiru_bench_${randomBytes(5).toString('hex')}`
  const created = spawnSync(
    'psql',
    [POSTGRES_ADMIN_URL, '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`],
    {
      encoding: 'utf8',
    },
  )
  if (created.status !== 0) {
    throw new Error(
      `could not create a PostgreSQL database for the bench: ${created.stderr || created.error?.message}`,
    )
  }
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  return url.toString()
}

export const launch = async (spec: ServerSpec, options: LaunchOptions): Promise<RunningServer> => {
  const port = await freePort()
  const nodeArgs = [...serverNodeFlags(), ...extraNodeFlags(), '--expose-gc', '--import', PROBE]
  let cwd = BENCH_DIR
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1' }
  delete env.NODE_OPTIONS
  Object.assign(env, options.env ?? {})
  if (spec.kind === 'jabiru') {
    if (!jabiruAvailable()) throw new Error(`Jabiru is not there yet: ${JABIRU_MAIN} does not exist`)
    cwd = REPO_DIR
    nodeArgs.splice(nodeArgs.indexOf('--import'), 0, '--import', 'tsx')
    nodeArgs.push(JABIRU_MAIN)
    env.DATA_DIR = options.dataDir
    env.LOG_LEVEL = 'warn'
    // The bench sets up thousands of canvases as one user from one address; production limits on HTTP
    // requests per user/IP would refuse that setup traffic. They do not apply to the WebSocket paths measured.
    env.RATE_LIMIT_USER_PER_MINUTE = '1000000'
    env.RATE_LIMIT_IP_PER_MINUTE = '1000000'
    if (!spec.journal) env.BENCH_DISABLE_JOURNAL = '1'
    if (spec.database === 'postgres') env.DATABASE_URL = options.databaseUrl ?? createBenchDatabase()
    mkdirSync(options.dataDir, { recursive: true })
  } else {
    nodeArgs.push(PEER_SCRIPT[spec.kind])
    if (options.storeDir) env.BENCH_STORE_DIR = options.storeDir
  }
  const [cmd, args] = pinned(SERVER_CORE, process.execPath, nodeArgs)
  const log = createWriteStream(options.logFile, { flags: 'a' })
  const child = spawn(cmd, args, {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
  })
  track(child)
  child.stdout?.pipe(log)
  child.stderr?.pipe(log)
  const server = new RunningServer(spec, port, child)
  try {
    await waitFor(
      `${spec.name} /readyz on port ${port} (log: ${options.logFile})`,
      async () => {
        if (!server.alive) throw new Error(`${spec.name} exited during start-up; see ${options.logFile}`)
        try {
          const res = await fetch(`${server.base}/readyz`)
          await res.arrayBuffer()
          return res.status === 200
        } catch {
          return false
        }
      },
      READY_TIMEOUT_MS,
      100,
    )
  } catch (err) {
    await server.stop()
    throw err
  }
  return server
}
