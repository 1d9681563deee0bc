/** S8 awareness: 20 clients on one canvas, each moving its cursor at 10 Hz; latency and CPU. */
import type { Config } from '../config.ts'
import { HOCUSPOCUS, JABIRU, REFERENCE, RELAY } from '../servers/catalog.ts'
import { canvasNames, P99_LIMIT_MS, runFanoutOn } from './fanout-common.ts'
import type { ScenarioDef } from './types.ts'

export const s8 = (cfg: Config, withJabiru: boolean): ScenarioDef => ({
  id: 'S8',
  title: 'Awareness (cursors)',
  description:
    `One canvas, ${cfg.s8.clients} clients, each sending an awareness update (a cursor position with a send ` +
    `stamp) at ${cfg.s8.hz} Hz. Warm-up ${cfg.s8.warmupMs} ms, measured ${cfg.s8.measureMs} ms. Latency ` +
    'from send to each other client, and server CPU.',
  servers: withJabiru ? [JABIRU, HOCUSPOCUS, REFERENCE, RELAY] : [HOCUSPOCUS, REFERENCE, RELAY],
  variants: [{ key: 'cursors', label: `${cfg.s8.clients} clients × ${cfg.s8.hz} Hz` }],
  metrics: [
    { key: 'p50', label: 'awareness p50', unit: 'ms', better: 'lower' },
    { key: 'p99', label: 'awareness p99', unit: 'ms', better: 'lower' },
    { key: 'cpu', label: 'server CPU', unit: 'cores', better: 'lower' },
    { key: 'delivered', label: 'delivered', unit: '%', better: 'higher' },
  ],
  headline: ['p99', 'cpu'],
  measure: async (spec, ctx) => {
    const server = await ctx.start(spec)
    const canvases = await server.canvases(canvasNames(ctx.runId, 's8', 1), ctx.runId)
    const { result, windows } = await runFanoutOn(server, {
      kind: 'fanout',
      canvases,
      clientsPerCanvas: cfg.s8.clients,
      rates: [cfg.s8.clients * cfg.s8.hz],
      warmupMs: cfg.s8.warmupMs,
      measureMs: cfg.s8.measureMs,
      drainMs: 2000,
      paddingChars: 0,
      stopAfterFailedSteps: 1,
      p99LimitMs: P99_LIMIT_MS,
      awareness: true,
    })
    const step = result.steps[0]
    const window = windows.get(0)
    if (!step || !window) throw new Error('the load step did not complete')
    return {
      values: {
        cursors: {
          p50: step.latencyMs.p50,
          p99: step.latencyMs.p99,
          cpu: window.cpu,
          delivered: step.expected ? (100 * step.delivered) / step.expected : Number.NaN,
        },
      },
      details: { step, server: window },
    }
  },
})
