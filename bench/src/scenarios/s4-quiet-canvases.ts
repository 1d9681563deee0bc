/** S4 many quiet canvases: 1k canvases × 3-5 clients, each client 1 update/s; p99 and RSS. */
import type { Config } from '../config.ts'
import { totalClients } from '../load/jobs.ts'
import { HOCUSPOCUS, JABIRU, JABIRU_TWIN, REFERENCE, RELAY } from '../servers/catalog.ts'
import { aaTwinSentence, canvasNames, P99_LIMIT_MS, PADDING_CHARS, runFanoutOn } from './fanout-common.ts'
import { MB } from './metrics.ts'
import type { ScenarioDef } from './types.ts'

/** 3, 4 or 5 clients per canvas, round robin (the load generator's [min, max] form). */
export const S4_CLIENTS_PER_CANVAS = [3, 5] as const

export const s4 = (cfg: Config, withJabiru: boolean): ScenarioDef => ({
  id: 'S4',
  title: 'Many quiet canvases',
  description:
    `${cfg.s4.canvases.toLocaleString('en-US')} canvases with 3, 4 or 5 clients each (round robin); every ` +
    `client sends 1 stamped update/s, from ${cfg.s4.loadProcesses} load processes (canvases split between ` +
    `them). Warm-up ${cfg.s4.warmupMs} ms, measured ${cfg.s4.measureMs} ms. ` +
    'Fan-out p50/p99, server RSS and CPU during the window.' +
    aaTwinSentence(withJabiru && cfg.aaTwin),
  servers: withJabiru
    ? [JABIRU, HOCUSPOCUS, REFERENCE, RELAY, ...(cfg.aaTwin ? [JABIRU_TWIN] : [])]
    : [HOCUSPOCUS, REFERENCE, RELAY],
  variants: [{ key: 'quiet', label: 'quiet canvases' }],
  metrics: [
    { key: 'p50', label: 'fan-out p50', unit: 'ms', better: 'lower' },
    { key: 'p99', label: 'fan-out p99', unit: 'ms', better: 'lower' },
    { key: 'rssMB', label: 'server RSS', unit: 'MB', better: 'lower' },
    { key: 'cpu', label: 'server CPU', unit: 'cores', better: 'lower' },
  ],
  headline: ['p99', 'rssMB'],
  measure: async (spec, ctx) => {
    const server = await ctx.start(spec)
    const canvases = await server.canvases(canvasNames(ctx.runId, 's4', cfg.s4.canvases), ctx.runId)
    const clients = totalClients(S4_CLIENTS_PER_CANVAS, canvases.length)
    const { result, windows } = await runFanoutOn(
      server,
      {
        kind: 'fanout',
        canvases,
        clientsPerCanvas: S4_CLIENTS_PER_CANVAS,
        rates: [clients],
        warmupMs: cfg.s4.warmupMs,
        measureMs: cfg.s4.measureMs,
        drainMs: 3000,
        paddingChars: PADDING_CHARS,
        stopAfterFailedSteps: 1,
        p99LimitMs: P99_LIMIT_MS,
      },
      cfg.s4.loadProcesses,
    )
    const step = result.steps[0]
    const window = windows.get(0)
    if (!step || !window) throw new Error('the load step did not complete')
    return {
      values: {
        quiet: { p50: step.latencyMs.p50, p99: step.latencyMs.p99, rssMB: window.rss / MB, cpu: window.cpu },
      },
      details: { clients, connectMs: result.connectMs, step, server: window },
    }
  },
})
