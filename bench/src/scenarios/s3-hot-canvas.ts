/** S3 hot canvas: one canvas, 5/20/50 clients each sending at a steady rate; fan-out p50/p99. */
import type { Config } from '../config.ts'
import { HOCUSPOCUS, JABIRU, JABIRU_POSTGRES, JABIRU_TWIN, REFERENCE, RELAY } from '../servers/catalog.ts'
import { aaTwinSentence, canvasNames, P99_LIMIT_MS, PADDING_CHARS, runFanoutOn } from './fanout-common.ts'
import type { ScenarioDef } from './types.ts'

export const s3 = (cfg: Config, withJabiru: boolean): ScenarioDef => ({
  id: 'S3',
  title: 'Hot canvas',
  description:
    `One canvas with ${cfg.s3.clients.join(' / ')} clients; each client sends ${cfg.s3.perClientRate} ` +
    `stamped updates/s (open loop), every other client receives each. Warm-up ${cfg.s3.warmupMs} ms, ` +
    `measured ${cfg.s3.measureMs} ms. Fan-out latency p50/p99 and server CPU. A fresh canvas per client count.` +
    aaTwinSentence(withJabiru && cfg.aaTwin),
  servers: withJabiru
    ? [JABIRU, JABIRU_POSTGRES, HOCUSPOCUS, REFERENCE, RELAY, ...(cfg.aaTwin ? [JABIRU_TWIN] : [])]
    : [HOCUSPOCUS, REFERENCE, RELAY],
  variants: cfg.s3.clients.map((n) => ({ key: `c${n}`, label: `${n} clients` })),
  metrics: [
    { key: 'p50', label: 'fan-out p50', unit: 'ms', better: 'lower' },
    { key: 'p99', label: 'fan-out p99', unit: 'ms', better: 'lower' },
    { key: 'cpu', label: 'server CPU', unit: 'cores', better: 'lower' },
    { key: 'deliveries', label: 'deliveries/s', unit: 'count', better: 'higher' },
  ],
  headline: ['p99'],
  measure: async (spec, ctx) => {
    const server = await ctx.start(spec)
    const values: Record<string, Record<string, number>> = {}
    const details: unknown[] = []
    for (const n of cfg.s3.clients) {
      const [canvas] = await server.canvases(canvasNames(ctx.runId, `s3c${n}`, 1), ctx.runId)
      if (!canvas) throw new Error('no canvas')
      const { result, windows } = await runFanoutOn(server, {
        kind: 'fanout',
        canvases: [canvas],
        clientsPerCanvas: n,
        rates: [n * cfg.s3.perClientRate],
        warmupMs: cfg.s3.warmupMs,
        measureMs: cfg.s3.measureMs,
        drainMs: 2000,
        paddingChars: PADDING_CHARS,
        stopAfterFailedSteps: 1,
        p99LimitMs: P99_LIMIT_MS,
      })
      const step = result.steps[0]
      const window = windows.get(0)
      if (!step || !window) throw new Error('the load step did not complete')
      values[`c${n}`] = {
        p50: step.latencyMs.p50,
        p99: step.latencyMs.p99,
        cpu: window.cpu,
        deliveries: (step.delivered * 1000) / cfg.s3.measureMs,
      }
      details.push({ clients: n, step, server: window })
    }
    return { values, details }
  },
})
