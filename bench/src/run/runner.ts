/**
 * Runs a scenario for every server and run: for run r, each server in turn gets a fresh process and
 * fresh canvases, so ratios between rows of the same run compare servers under the same conditions.
 * The order alternates from run to run (serverOrder).
 */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { spread } from '../lib/stats.ts'
import type { Measurement, Profile, RunContext, ScenarioDef } from '../scenarios/types.ts'
import type { ServerSpec } from '../servers/catalog.ts'
import { launch, type RunningServer } from '../servers/launch.ts'
import { readCoreTicks, stealPercent } from './cpu-steal.ts'
import type { RowResult, RunOutcome, ScenarioResult } from './results.ts'
import { serverOrder } from './server-order.ts'

export interface RunnerOptions {
  readonly profile: Profile
  readonly benchId: string
  readonly runs: number
  readonly workRoot: string
  readonly log: (msg: string) => void
  /** An initialized Jabiru DATA_DIR copied for each fresh Jabiru start. */
  readonly jabiruDataTemplate?: string
  /** `--servers`: only the servers this accepts are measured (experiments; every server when absent). */
  readonly serverFilter?: (spec: ServerSpec) => boolean
}

export const slug = (s: string): string =>
  s
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase()

const measureOnce = async (
  def: ScenarioDef,
  spec: ServerSpec,
  run: number,
  options: RunnerOptions,
): Promise<RunOutcome> => {
  const workDir = join(options.workRoot, def.id, `run${run}`, slug(spec.name))
  mkdirSync(workDir, { recursive: true })
  const started: RunningServer[] = []
  const ctx: RunContext = {
    profile: options.profile,
    runId: `${options.benchId}r${run}${slug(spec.kind)}`,
    workDir,
    log: options.log,
    start: async (s, opts = {}) => {
      const dataDir = opts.dataDir ?? join(workDir, 'data')
      if (s.kind === 'jabiru' && options.jabiruDataTemplate && !existsSync(dataDir)) {
        cpSync(options.jabiruDataTemplate, dataDir, { recursive: true })
      }
      const server = await launch(s, {
        dataDir,
        storeDir: opts.storeDir,
        env: opts.env,
        databaseUrl: opts.databaseUrl,
        logFile: join(workDir, `server-${started.length}.log`),
      })
      started.push(server)
      return server
    },
  }
  const t0 = performance.now()
  const ticksAtStart = readCoreTicks()
  try {
    const m: Measurement = await def.measure(spec, ctx)
    const ticksAtEnd = readCoreTicks()
    return {
      run,
      values: m.values,
      details: m.details,
      notes: m.notes,
      seconds: (performance.now() - t0) / 1000,
      ...(ticksAtStart && ticksAtEnd ? { stealPercent: stealPercent(ticksAtStart, ticksAtEnd) } : {}),
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    options.log(`  ${def.id} ${spec.name} run ${run}: FAILED ${message}`)
    return { run, error: message, seconds: (performance.now() - t0) / 1000 }
  } finally {
    for (const server of started) await server.stop()
    // Server logs stay in the scratch directory; the data (tens of MB per Jabiru start) goes.
    if (process.env.BENCH_KEEP_DATA !== '1') {
      for (const dir of ['data', 'store']) rmSync(join(workDir, dir), { recursive: true, force: true })
    }
  }
}

const summarizeRow = (def: ScenarioDef, server: string, runs: RunOutcome[]): RowResult => {
  const summary: Record<string, Record<string, ReturnType<typeof spread>>> = {}
  for (const variant of def.variants) {
    summary[variant.key] = {}
    for (const metric of def.metrics) {
      const values = runs
        .map((r) => r.values?.[variant.key]?.[metric.key])
        .filter((v): v is number => typeof v === 'number' && !Number.isNaN(v))
      summary[variant.key]![metric.key] = spread(values)
    }
  }
  return { server, runs, summary }
}

export const runScenario = async (scenario: ScenarioDef, options: RunnerOptions): Promise<ScenarioResult> => {
  const filter = options.serverFilter
  const def = filter ? { ...scenario, servers: scenario.servers.filter(filter) } : scenario
  const outcomes = new Map<string, RunOutcome[]>(def.servers.map((s) => [s.name, []]))
  for (let run = 1; run <= options.runs; run++) {
    for (const spec of serverOrder(def.servers, run)) {
      const outcome = await measureOnce(def, spec, run, options)
      outcomes.get(spec.name)!.push(outcome)
      const headline = def.headline
        .map((k) => `${k}=${formatQuick(outcome.values?.[def.variants[0]!.key]?.[k])}`)
        .join(' ')
      options.log(
        `  ${def.id} run ${run} ${spec.name}: ${outcome.error ? 'error' : headline} (${outcome.seconds.toFixed(1)} s)`,
      )
    }
  }
  return {
    id: def.id,
    title: def.title,
    description: def.description,
    variants: def.variants,
    metrics: def.metrics,
    headline: def.headline,
    ...(def.comparisons ? { comparisons: def.comparisons } : {}),
    rows: def.servers.map((s) => summarizeRow(def, s.name, outcomes.get(s.name)!)),
  }
}

const formatQuick = (v: number | undefined): string =>
  v === undefined ? '-' : Number.isInteger(v) ? String(v) : v.toFixed(2)
