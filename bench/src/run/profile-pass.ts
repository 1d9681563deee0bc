/**
 * Profile evidence for RESULTS.md: Jabiru (journal on) under the load where it misses targets,
 * with a CPU profile taken through the probe for the measured window only, summarized to top frames.
 * - S2 load at a fixed 2,000 updates/s (10 canvases × 5 clients);
 * - S1-style connect storm (2,000 connections over 400 canvases);
 * - S7 compaction under load: ten stored 200 KB fragmented canvases, 1,000 updates/s, compacted every 2 s;
 * - S4's load: 1,000 canvases × 3-5 clients, 1 update/s each.
 */
import { cpSync, existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { configFor } from '../config.ts'
import { type FanoutJob, type FanoutResult, type StormResult, totalClients } from '../load/jobs.ts'
import { summarizeProfile } from '../report/cpuprofile.ts'
import { storedDoc } from '../scenarios/docgen.ts'
import { canvasNames, P99_LIMIT_MS, PADDING_CHARS } from '../scenarios/fanout-common.ts'
import { S4_CLIENTS_PER_CANVAS } from '../scenarios/s4-quiet-canvases.ts'
import { JABIRU_COMPACT_INTERVAL_MS } from '../scenarios/s7-compaction.ts'
import { startWithStored } from '../scenarios/stored.ts'
import type { RunContext } from '../scenarios/types.ts'
import { JABIRU } from '../servers/catalog.ts'
import { launch, REPO_DIR, type RunningServer } from '../servers/launch.ts'
import { runJob } from './load-process.ts'
import type { ProfileEvidence } from './results.ts'

const startJabiru = async (dir: string, template: string | undefined): Promise<RunningServer> => {
  const dataDir = join(dir, 'data')
  if (template && !existsSync(dataDir)) cpSync(template, dataDir, { recursive: true })
  return launch(JABIRU, { dataDir, logFile: join(dir, 'server.log') })
}

const evidence = (scenario: string, what: string, file: string): ProfileEvidence => {
  const summary = summarizeProfile(file, REPO_DIR)
  return { scenario, what, file: file.slice(REPO_DIR.length), ...summary }
}

interface ProfiledLoad {
  readonly rate: number
  readonly warmupMs: number
  readonly measureMs: number
  /** 5 unless given (S4: a [min, max] range, round robin). */
  readonly clientsPerCanvas?: FanoutJob['clientsPerCanvas']
}

/** Fan-out load at one fixed rate over `canvases`, profiling Jabiru over the measured window only. */
const profiledFanout = async (
  server: RunningServer,
  canvases: FanoutJob['canvases'],
  load: ProfiledLoad,
  file: string,
): Promise<void> => {
  await runJob<FanoutResult>(
    {
      kind: 'fanout',
      canvases,
      clientsPerCanvas: load.clientsPerCanvas ?? 5,
      rates: [load.rate],
      warmupMs: load.warmupMs,
      measureMs: load.measureMs,
      drainMs: 2000,
      paddingChars: PADDING_CHARS,
      stopAfterFailedSteps: 1,
      p99LimitMs: P99_LIMIT_MS,
    },
    async (name) => {
      if (name === 'measure-start') await server.startProfile()
      if (name === 'measure-end') await server.stopProfile(file)
    },
    120_000,
  )
}

export const profileJabiru = async (
  workDir: string,
  outDir: string,
  benchId: string,
  template: string | undefined,
  log: (msg: string) => void,
): Promise<ProfileEvidence[]> => {
  mkdirSync(outDir, { recursive: true })
  const out: ProfileEvidence[] = []
  const s2File = join(outDir, 's2-2000ups.cpuprofile')
  {
    const dir = join(workDir, 's2')
    mkdirSync(dir, { recursive: true })
    const server = await startJabiru(dir, template)
    try {
      const runId = `${benchId}prof2`
      const canvases = await server.canvases(canvasNames(runId, 'p2', 10), runId)
      await profiledFanout(server, canvases, { rate: 2000, warmupMs: 1000, measureMs: 5000 }, s2File)
      out.push(evidence('S2', 'journal on, 2,000 updates/s over 10 canvases × 5 clients, 5 s window', s2File))
      log('profile pass: S2 done')
    } finally {
      await server.stop()
    }
  }
  const s1File = join(outDir, 's1-storm.cpuprofile')
  {
    const dir = join(workDir, 's1')
    mkdirSync(dir, { recursive: true })
    const server = await startJabiru(dir, template)
    try {
      const runId = `${benchId}prof1`
      const canvases = await server.canvases(canvasNames(runId, 'p1', 400), runId)
      await server.startProfile()
      await runJob<StormResult>(
        { kind: 'storm', canvases, connections: 2000, concurrency: 200, connectTimeoutMs: 60_000 },
        async (name) => {
          if (name === 'connected') await server.stopProfile(s1File)
        },
        180_000,
      )
      out.push(evidence('S1', 'connect storm, 2,000 connections over 400 canvases, whole storm', s1File))
      log('profile pass: S1 done')
    } finally {
      await server.stop()
    }
  }
  const s7File = join(outDir, 's7-compaction.cpuprofile')
  {
    const dir = join(workDir, 's7')
    mkdirSync(dir, { recursive: true })
    const started: RunningServer[] = []
    const ctx: RunContext = {
      profile: 'full',
      runId: `${benchId}prof7`,
      workDir: dir,
      log,
      start: async (spec, opts = {}) => {
        const dataDir = opts.dataDir ?? join(dir, 'data')
        if (template && !existsSync(dataDir)) cpSync(template, dataDir, { recursive: true })
        const server = await launch(spec, {
          dataDir,
          logFile: join(dir, `server-${started.length}.log`),
          env: opts.env,
        })
        started.push(server)
        return server
      },
    }
    try {
      const doc = storedDoc('fragmented', 200_000)
      const canvases = canvasNames(ctx.runId, 'p7', 10).map((name) => ({ name, doc }))
      const { server, targets } = await startWithStored(JABIRU, ctx, canvases, {
        restart: false,
        env: { COMPACT_INTERVAL_MS: String(JABIRU_COMPACT_INTERVAL_MS) },
      })
      await profiledFanout(server, targets, { rate: 1000, warmupMs: 2000, measureMs: 8000 }, s7File)
      out.push(
        evidence(
          'S7',
          'compaction under load: 10 stored 200 KB fragmented canvases × 5 clients, 1,000 updates/s, compacted every 2 s, 8 s window',
          s7File,
        ),
      )
      log('profile pass: S7 done')
    } finally {
      for (const server of started) await server.stop()
    }
  }
  const s4File = join(outDir, 's4-quiet.cpuprofile')
  {
    const dir = join(workDir, 's4')
    mkdirSync(dir, { recursive: true })
    const server = await startJabiru(dir, template)
    try {
      const { canvases: count, warmupMs, measureMs } = configFor('full').s4
      const runId = `${benchId}prof4`
      const canvases = await server.canvases(canvasNames(runId, 'p4', count), runId)
      // The same shape as S4: each client sends once a second.
      const clients = totalClients(S4_CLIENTS_PER_CANVAS, canvases.length)
      await profiledFanout(
        server,
        canvases,
        { rate: clients, warmupMs, measureMs, clientsPerCanvas: S4_CLIENTS_PER_CANVAS },
        s4File,
      )
      out.push(
        evidence(
          'S4',
          `${count.toLocaleString('en-US')} canvases × 3-5 clients, 1 update/s each (${clients.toLocaleString('en-US')} updates/s), ${measureMs / 1000} s window`,
          s4File,
        ),
      )
      log('profile pass: S4 done')
    } finally {
      await server.stop()
    }
  }
  return out
}
