/** S9 churn soak: open/edit/close cycles for a fixed time; RSS before, right after, and after unloads. */
import type { Config } from '../config.ts'
import { sleep } from '../lib/time.ts'
import type { ChurnResult } from '../load/jobs.ts'
import { runJob } from '../run/load-process.ts'
import { HOCUSPOCUS, JABIRU, REFERENCE, RELAY } from '../servers/catalog.ts'
import { canvasNames } from './fanout-common.ts'
import { MB } from './metrics.ts'
import type { ScenarioDef } from './types.ts'

export const s9 = (cfg: Config, withJabiru: boolean): ScenarioDef => ({
  id: 'S9',
  title: 'Churn soak',
  description:
    `For ${cfg.s9.durationMs / 1000} s: cycles of ${cfg.s9.clientsPerCycle} clients opening the next canvases of a ` +
    `pool of ${cfg.s9.canvases}, sending 5 updates each and closing. Server RSS (after a forced GC) before the ` +
    `soak, right after it, and ${cfg.s9.settleMs / 1000} s later, once canvases could unload (Jabiru unloads a ` +
    'canvas 10 s after its last client by default; the reference server without persistence never unloads).',
  servers: withJabiru ? [JABIRU, HOCUSPOCUS, REFERENCE, RELAY] : [HOCUSPOCUS, REFERENCE, RELAY],
  variants: [{ key: 'soak', label: 'soak' }],
  metrics: [
    { key: 'rssBeforeMB', label: 'RSS before', unit: 'MB', better: 'lower' },
    { key: 'rssEndMB', label: 'RSS right after', unit: 'MB', better: 'lower' },
    { key: 'rssAfterMB', label: 'RSS after unloads', unit: 'MB', better: 'lower' },
    { key: 'growthMB', label: 'growth after unloads', unit: 'MB', better: 'lower' },
    { key: 'sessions', label: 'sessions', unit: 'count', better: 'higher' },
    { key: 'syncedP99', label: 'time to synced p99', unit: 'ms', better: 'lower' },
  ],
  headline: ['growthMB'],
  measure: async (spec, ctx) => {
    const server = await ctx.start(spec)
    const canvases = await server.canvases(canvasNames(ctx.runId, 's9', cfg.s9.canvases), ctx.runId)
    const rss: Record<string, number> = {}
    const result = await runJob<ChurnResult>(
      {
        kind: 'churn',
        canvases,
        clientsPerCycle: cfg.s9.clientsPerCycle,
        editsPerClient: 5,
        durationMs: cfg.s9.durationMs,
        connectTimeoutMs: 30_000,
      },
      async (name) => {
        if (name === 'start') {
          await server.gc()
          rss.before = server.rssBytes()
        } else if (name === 'end') {
          await sleep(500)
          await server.gc()
          rss.end = server.rssBytes()
          await sleep(cfg.s9.settleMs)
          await server.gc()
          rss.after = server.rssBytes()
        }
      },
      cfg.s9.durationMs + cfg.s9.settleMs + 120_000,
    )
    const before = rss.before ?? Number.NaN
    const after = rss.after ?? Number.NaN
    return {
      values: {
        soak: {
          rssBeforeMB: before / MB,
          rssEndMB: (rss.end ?? Number.NaN) / MB,
          rssAfterMB: after / MB,
          growthMB: (after - before) / MB,
          sessions: result.sessions,
          syncedP99: result.syncedMs.p99,
        },
      },
      details: result,
      notes: result.failed ? [`${result.failed} sessions failed, e.g. ${result.firstErrors[0]}`] : [],
    }
  },
})
