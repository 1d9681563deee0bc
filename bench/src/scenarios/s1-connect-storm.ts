/** S1 connect storm: 10k connections over 2k canvases; connections/s, time to synced, RSS per connection. */
import type { Config } from '../config.ts'
import { sleep } from '../lib/time.ts'
import type { StormResult } from '../load/jobs.ts'
import { runJob } from '../run/load-process.ts'
import { HOCUSPOCUS, JABIRU, REFERENCE, RELAY } from '../servers/catalog.ts'
import { canvasNames } from './fanout-common.ts'
import type { ScenarioDef } from './types.ts'

export const s1 = (cfg: Config, withJabiru: boolean): ScenarioDef => ({
  id: 'S1',
  title: 'Connect storm',
  description:
    `${cfg.s1.connections.toLocaleString('en-US')} connections over ${cfg.s1.canvases.toLocaleString('en-US')} ` +
    `canvases, opened with ${cfg.s1.concurrency} attempts in flight. Connections/s, time from opening the ` +
    'socket to synced (sync step 2 received), and server RSS growth per idle connection (RSS after a forced ' +
    "GC with everything connected, minus RSS after a forced GC before; includes each canvas's share of its room).",
  servers: withJabiru ? [JABIRU, HOCUSPOCUS, REFERENCE, RELAY] : [HOCUSPOCUS, REFERENCE, RELAY],
  variants: [{ key: 'storm', label: 'storm' }],
  metrics: [
    { key: 'connPerSec', label: 'connections/s', unit: 'conn/s', better: 'higher' },
    { key: 'syncedP50', label: 'time to synced p50', unit: 'ms', better: 'lower' },
    { key: 'syncedP99', label: 'time to synced p99', unit: 'ms', better: 'lower' },
    { key: 'rssPerConnKB', label: 'RSS per connection', unit: 'KB', better: 'lower' },
    { key: 'heapPerConnKB', label: 'JS heap per connection', unit: 'KB', better: 'lower' },
    { key: 'failed', label: 'failed connections', unit: 'count', better: 'lower' },
  ],
  headline: ['connPerSec', 'rssPerConnKB'],
  measure: async (spec, ctx) => {
    const server = await ctx.start(spec)
    const canvases = await server.canvases(canvasNames(ctx.runId, 's1', cfg.s1.canvases), ctx.runId)
    await sleep(500)
    const before = await server.gc()
    const rssBefore = server.rssBytes()
    let rssAfter = 0
    let heapAfter = 0
    const result = await runJob<StormResult>(
      {
        kind: 'storm',
        canvases,
        connections: cfg.s1.connections,
        concurrency: cfg.s1.concurrency,
        connectTimeoutMs: 60_000,
      },
      async (name) => {
        if (name !== 'connected') return
        await sleep(1000)
        const after = await server.gc()
        rssAfter = server.rssBytes()
        heapAfter = after.heapUsed + after.external
      },
      300_000,
    )
    const n = Math.max(1, result.connected)
    return {
      values: {
        storm: {
          connPerSec: result.connectionsPerSec,
          syncedP50: result.syncedMs.p50,
          syncedP99: result.syncedMs.p99,
          rssPerConnKB: (rssAfter - rssBefore) / n / 1024,
          heapPerConnKB: (heapAfter - (before.heapUsed + before.external)) / n / 1024,
          failed: result.failed,
        },
      },
      details: { result, rssBefore, rssAfter },
      notes: result.failed ? [`${result.failed} connections failed, e.g. ${result.firstErrors[0]}`] : [],
    }
  },
})
