/**
 * S6 two instances on Redis: an S3-style hot canvas with its clients split over two Jabiru processes
 * sharing one PostgreSQL database and one Redis, against all clients on one process, in the same run.
 */
import { join } from 'node:path'
import type { Target } from '../clients/raw-client.ts'
import type { Config } from '../config.ts'
import { startRedis } from '../lib/redis.ts'
import type { FanoutResult } from '../load/jobs.ts'
import { runJob } from '../run/load-process.ts'
import { JABIRU_POSTGRES, type ServerSpec } from '../servers/catalog.ts'
import { createBenchDatabase, type RunningServer } from '../servers/launch.ts'
import { canvasNames, P99_LIMIT_MS, PADDING_CHARS } from './fanout-common.ts'
import { openWindow, type WindowSample } from './metrics.ts'
import type { Comparison, ScenarioDef } from './types.ts'

interface Topology {
  readonly spec: ServerSpec
  readonly instances: 1 | 2
  readonly redis: boolean
}

const ONE: Topology = {
  spec: { ...JABIRU_POSTGRES, name: 'jabiru (PostgreSQL), 1 instance' },
  instances: 1,
  redis: false,
}
const ONE_REDIS: Topology = {
  spec: { ...JABIRU_POSTGRES, name: 'jabiru (PostgreSQL + Redis), 1 instance' },
  instances: 1,
  redis: true,
}
const TWO: Topology = {
  spec: { ...JABIRU_POSTGRES, name: 'jabiru (PostgreSQL + Redis), 2 instances' },
  instances: 2,
  redis: true,
}
const TOPOLOGIES: readonly Topology[] = [ONE, ONE_REDIS, TWO]

const VARIANT = 'hot'

const compare = (row: Topology, baseline: Topology, metric: string, baselineMetric?: string): Comparison => ({
  row: row.spec.name,
  baseline: baseline.spec.name,
  variant: VARIANT,
  metric,
  ...(baselineMetric ? { baselineMetric } : {}),
})

/** CPU summed over the instances (cores), event-loop delay p99 of the worst one. */
interface Window {
  readonly cpu: number
  readonly eldP99: number
  readonly perInstance: readonly WindowSample[]
}

export const s6 = (cfg: Config): ScenarioDef => {
  const n = cfg.s6.clients
  return {
    id: 'S6',
    title: 'Two instances on Redis',
    description:
      `S3's hot canvas (1 canvas, ${n} clients, ${cfg.s6.perClientRate} stamped updates/s each, open loop; ` +
      `warm-up ${cfg.s6.warmupMs} ms, measured ${cfg.s6.measureMs} ms) on three set-ups, back to back in each ` +
      'run, each on a fresh PostgreSQL database: all clients on one Jabiru instance without Redis; all on one ' +
      'instance with REDIS_URL (the bus, sessions, presence, locks and rate limits move to Redis); and clients ' +
      `split ${Math.ceil(n / 2)}/${Math.floor(n / 2)} over two instances sharing the database and the Redis, so ` +
      'about half of every update\'s deliveries cross from one instance to the other through Redis. "cross" ' +
      'metrics count only those deliveries. Redis is a private redis-server (no persistence) started per ' +
      'measurement and, like PostgreSQL, not pinned. On this 2-core machine both instances are pinned to core 0 ' +
      'like every server under test, so they share one core (server CPU is their sum); a real deployment gives ' +
      'each its own. Jabiru only: the peers have no comparable scale-out in this harness (Hocuspocus has a ' +
      'Redis extension, which is not a bench dependency).',
    servers: TOPOLOGIES.map((t) => t.spec),
    variants: [{ key: VARIANT, label: `1 canvas, ${n} clients` }],
    metrics: [
      { key: 'p50', label: 'fan-out p50', unit: 'ms', better: 'lower' },
      { key: 'p99', label: 'fan-out p99', unit: 'ms', better: 'lower' },
      { key: 'crossP50', label: 'cross-instance p50', unit: 'ms', better: 'lower' },
      { key: 'crossP99', label: 'cross-instance p99', unit: 'ms', better: 'lower' },
      { key: 'cpu', label: 'server CPU (sum)', unit: 'cores', better: 'lower' },
      { key: 'eldP99', label: 'event-loop delay p99 (worst)', unit: 'ms', better: 'lower' },
      { key: 'deliveries', label: 'deliveries/s', unit: 'count', better: 'higher' },
      { key: 'lagP99', label: 'generator lag p99', unit: 'ms', better: 'lower' },
    ],
    headline: ['p99'],
    comparisons: [
      compare(TWO, ONE, 'p50'),
      compare(TWO, ONE, 'p99'),
      compare(TWO, ONE, 'crossP50', 'p50'),
      compare(TWO, ONE, 'crossP99', 'p99'),
      compare(TWO, ONE_REDIS, 'p50'),
      compare(TWO, ONE_REDIS, 'p99'),
      compare(ONE_REDIS, ONE, 'p50'),
      compare(ONE_REDIS, ONE, 'p99'),
    ],
    measure: async (spec, ctx) => {
      const topology = TOPOLOGIES.find((t) => t.spec.name === spec.name)
      if (!topology) throw new Error(`S6 has no set-up named ${spec.name}`)
      const redis = topology.redis ? await startRedis(join(ctx.workDir, 'redis.log')) : null
      const servers: RunningServer[] = []
      try {
        const env: Record<string, string> = redis ? { REDIS_URL: redis.url } : {}
        const databaseUrl = createBenchDatabase()
        // One after the other: the first migrates the fresh database, the second finds it migrated.
        const first = await ctx.start(spec, { env, databaseUrl })
        servers.push(first)
        if (topology.instances === 2) {
          servers.push(await ctx.start(spec, { env, databaseUrl, dataDir: join(ctx.workDir, 'data', 'b') }))
        }
        const [canvas] = await first.canvases(canvasNames(ctx.runId, 's6', 1), ctx.runId)
        if (!canvas) throw new Error('no canvas')
        const session = await first.jabiruSession(ctx.runId)
        const targets: Target[] = [canvas]
        for (const other of servers.slice(1)) {
          // The session lives in Redis (REDIS_URL): the same token signs in on every instance.
          other.adoptSession(session)
          const [t] = await other.existingCanvases([canvas.docName], ctx.runId)
          if (!t) throw new Error('no target on the second instance')
          targets.push(t)
        }

        let open: { end: () => Promise<WindowSample> }[] = []
        let window: Window | null = null
        const onEvent = async (name: string): Promise<void> => {
          if (name === 'measure-start') {
            open = await Promise.all(servers.map((s) => openWindow(s)))
          } else if (name === 'measure-end') {
            const samples = await Promise.all(open.map((w) => w.end()))
            window = {
              cpu: samples.reduce((sum, s) => sum + s.cpu, 0),
              eldP99: Math.max(...samples.map((s) => s.eld.p99)),
              perInstance: samples,
            }
          }
        }
        const result = await runJob<FanoutResult>(
          {
            kind: 'fanout',
            canvases: [canvas],
            clientsPerCanvas: n,
            rates: [n * cfg.s6.perClientRate],
            warmupMs: cfg.s6.warmupMs,
            measureMs: cfg.s6.measureMs,
            drainMs: 2000,
            paddingChars: PADDING_CHARS,
            stopAfterFailedSteps: 1,
            p99LimitMs: P99_LIMIT_MS,
            ...(targets.length > 1 ? { spreadOver: [targets] } : {}),
          },
          onEvent,
          120_000 + cfg.s6.warmupMs + cfg.s6.measureMs,
        )
        const step = result.steps[0]
        const measured = window as Window | null
        if (!step || !measured) throw new Error('the load step did not complete')
        const cross = step.crossLatencyMs
        return {
          values: {
            [VARIANT]: {
              p50: step.latencyMs.p50,
              p99: step.latencyMs.p99,
              ...(cross ? { crossP50: cross.p50, crossP99: cross.p99 } : {}),
              cpu: measured.cpu,
              eldP99: measured.eldP99,
              deliveries: (step.delivered * 1000) / cfg.s6.measureMs,
              lagP99: step.generatorLagP99Ms,
            },
          },
          details: { instances: topology.instances, redis: topology.redis, step, server: measured },
        }
      } finally {
        // Servers first, so none of them sees Redis go away while it runs; the runner's stop is then a no-op.
        for (const server of servers) await server.stop()
        await redis?.stop()
      }
    },
  }
}
