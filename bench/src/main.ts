/**
 * Bench orchestrator: `--profile quick|full` (default quick), optional `--only S2,S3`,
 * `--runs N`, `--peers-only`. Runs every scenario for Jabiru and its peers, writes
 * bench/results/<profile>-<time>.json and latest-<profile>.json, then regenerates RESULTS.md.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { configFor } from './config.ts'
import { LOAD_CORE, pinSelf } from './lib/cpu-pin.ts'
import { writeResultsMd } from './report/write-results-md.ts'
import { calibrate } from './run/calibration.ts'
import { checkJabiru, type JabiruStatus } from './run/jabiru-check.ts'
import { machineInfo } from './run/machine.ts'
import { profileJabiru } from './run/profile-pass.ts'
import type { BenchResults, ProfileEvidence, ScenarioResult, SkippedResult } from './run/results.ts'
import { toJson } from './run/results.ts'
import { runScenario, slug } from './run/runner.ts'
import { buildScenarios } from './scenarios/all.ts'
import type { Profile } from './scenarios/types.ts'
import type { ServerSpec } from './servers/catalog.ts'
import { REPO_DIR } from './servers/launch.ts'

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url))

const { values: args } = parseArgs({
  options: {
    profile: { type: 'string', default: 'quick' },
    only: { type: 'string' },
    runs: { type: 'string' },
    'peers-only': { type: 'boolean', default: false },
    servers: { type: 'string' },
    'no-profile': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (args.help) {
  console.log(
    [
      'npm run bench [-- options]       quick subset (S2, S3; under 5 minutes)',
      'npm run bench:full [-- options]  every scenario, 3 runs, then a profile pass of Jabiru',
      '',
      '  --profile quick|full   scenario set and sizes (default quick)',
      '  --only S2,S3           run only these scenarios',
      '  --runs N               runs per scenario (default 3)',
      '  (with --only or --runs the results are partial: results/<profile>-partial-*.json, RESULTS.md unchanged)',
      '  --peers-only           measure the peers only',
      '  --servers jabiru,reference  only these rows, by slug (jabiru, jabiru-postgresql, jabiru-journal-off)',
      '                         or peer kind (hocuspocus, reference, relay); partial results (experiments)',
      "                         (jabiru-a-a-twin: the full profile's A/A control, an identical Jabiru in S3, S4)",
      '  --no-profile           skip the CPU-profile pass',
      '',
      'BENCH_EXTRA_NODE_FLAGS="--trace-gc"  extra Node flags for every server under test (experiments)',
    ].join('\n'),
  )
  process.exit(0)
}

if (args.profile !== 'quick' && args.profile !== 'full')
  throw new Error(`--profile must be quick or full, got ${args.profile}`)
const profile: Profile = args.profile
const cfg = configFor(profile)
const runs = args.runs ? Number(args.runs) : cfg.runs
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a positive integer, got ${args.runs}`)
const only = args.only ? new Set(args.only.split(',').map((s) => s.trim().toUpperCase())) : null
const serverNames = args.servers ? new Set(args.servers.split(',').map((s) => s.trim().toLowerCase())) : null
const serverFilter = serverNames
  ? (spec: ServerSpec): boolean =>
      serverNames.has(slug(spec.name)) || (spec.kind !== 'jabiru' && serverNames.has(spec.kind))
  : undefined

const started = performance.now()
const loadAtStart = loadavg().map((x) => Math.round(x * 100) / 100)
pinSelf(LOAD_CORE)
const calibrationAtStart = calibrate()
const benchId = `b${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`
const workRoot = join(BENCH_DIR, '.work', benchId)
mkdirSync(workRoot, { recursive: true })
const log = (msg: string): void => {
  console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`)
}

log(`bench ${benchId}: profile ${profile}, ${runs} runs, scratch ${workRoot}`)
const jabiru: JabiruStatus = args['peers-only']
  ? { available: false, note: 'run with --peers-only' }
  : await checkJabiru(join(workRoot, 'jabiru-check'), log)
log(jabiru.available ? 'Jabiru is up: measuring it with the peers' : `Jabiru not measured: ${jabiru.note}`)

const scenarios: (ScenarioResult | SkippedResult)[] = []
for (const item of buildScenarios(cfg, jabiru.available)) {
  if (only && !only.has(item.id)) continue
  if ('skipped' in item) {
    scenarios.push(item)
    continue
  }
  if (!cfg.scenarios.includes(item.id) && !only) continue
  log(`${item.id} ${item.title}`)
  scenarios.push(
    await runScenario(item, {
      profile,
      benchId,
      runs,
      workRoot,
      log,
      jabiruDataTemplate: jabiru.dataTemplate,
      ...(serverFilter ? { serverFilter } : {}),
    }),
  )
}

const profiles: ProfileEvidence[] = []
if (jabiru.available && profile === 'full' && !args['no-profile'] && !only) {
  try {
    profiles.push(
      ...(await profileJabiru(
        join(workRoot, 'profiles'),
        join(BENCH_DIR, 'results', 'profiles'),
        benchId,
        jabiru.dataTemplate,
        log,
      )),
    )
  } catch (err) {
    log(`profile pass failed: ${err instanceof Error ? err.message : String(err)}`)
  }
}

if (jabiru.dataTemplate && process.env.BENCH_KEEP_DATA !== '1') {
  rmSync(jabiru.dataTemplate, { recursive: true, force: true })
  rmSync(join(workRoot, 'profiles'), { recursive: true, force: true })
}

const results: BenchResults = {
  generatedAt: new Date().toISOString(),
  profile,
  benchId,
  runs,
  machine: machineInfo(REPO_DIR, loadAtStart, { atStart: calibrationAtStart, atEnd: calibrate() }),
  jabiru: { available: jabiru.available, ...(jabiru.note ? { note: jabiru.note } : {}) },
  scenarios,
  profiles,
  elapsedSeconds: (performance.now() - started) / 1000,
}
const resultsDir = join(BENCH_DIR, 'results')
mkdirSync(resultsDir, { recursive: true })
const stamp = results.generatedAt.replace(/[:.]/g, '-')
const partial = only || args.runs || serverFilter ? '-partial' : ''
writeFileSync(join(resultsDir, `${profile}${partial}-${stamp}.json`), toJson(results))
if (!partial) writeFileSync(join(resultsDir, `latest-${profile}.json`), toJson(results))
log(`results in ${resultsDir}; RESULTS.md: ${partial ? 'unchanged (partial run)' : writeResultsMd()}`)
