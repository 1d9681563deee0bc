/** S2 saturation ramp: 10 canvases × 5 clients, offered 1k→20k updates/s and on while a server keeps up; open loop. */
import type { Config } from '../config.ts'
import {
  HOCUSPOCUS,
  JABIRU,
  JABIRU_NO_JOURNAL,
  JABIRU_POSTGRES,
  REFERENCE,
  RELAY,
} from '../servers/catalog.ts'
import { canvasNames, keptUp, P99_LIMIT_MS, PADDING_CHARS, runFanoutOn } from './fanout-common.ts'
import type { ScenarioDef } from './types.ts'

const CANVASES = 10
const CLIENTS = 5

export const s2 = (cfg: Config, withJabiru: boolean): ScenarioDef => ({
  id: 'S2',
  title: 'Saturation ramp',
  description:
    `${CANVASES} canvases × ${CLIENTS} clients; every client sends stamped map updates at an open-loop ` +
    `rate stepping ${cfg.s2.rates.join(', ')} updates/s in total (warm-up ${cfg.s2.warmupMs} ms, measured ` +
    `${cfg.s2.measureMs} ms per step; the ramp stops after ${cfg.s2.stopAfterFailedSteps} failing step(s)). ` +
    `Headline: the highest offered rate whose fan-out p99 stayed under ${P99_LIMIT_MS} ms with nothing lost, ` +
    'and the server CPU and event-loop delay p99 at that step. Jabiru runs with its journal on (embedded: log ' +
    'files in DATA_DIR, states and metadata in PGlite; and PostgreSQL out of process) and off.',
  servers: withJabiru
    ? [JABIRU, JABIRU_NO_JOURNAL, JABIRU_POSTGRES, HOCUSPOCUS, REFERENCE, RELAY]
    : [HOCUSPOCUS, REFERENCE, RELAY],
  variants: [{ key: 'ramp', label: `${CANVASES} canvases × ${CLIENTS} clients` }],
  metrics: [
    { key: 'maxRate', label: `highest rate p99<${P99_LIMIT_MS}ms`, unit: 'upd/s', better: 'higher' },
    { key: 'p99AtMax', label: 'p99 at that rate', unit: 'ms', better: 'lower' },
    { key: 'cpuAtMax', label: 'CPU at that rate', unit: 'cores', better: 'lower' },
    { key: 'eldP99AtMax', label: 'event-loop delay p99 at that rate', unit: 'ms', better: 'lower' },
    { key: 'p99AtFirst', label: `p99 at ${cfg.s2.rates[0]} upd/s`, unit: 'ms', better: 'lower' },
    { key: 'cpuAtFirst', label: `CPU at ${cfg.s2.rates[0]} upd/s`, unit: 'cores', better: 'lower' },
  ],
  headline: ['maxRate'],
  measure: async (spec, ctx) => {
    const server = await ctx.start(spec)
    const canvases = await server.canvases(canvasNames(ctx.runId, 's2', CANVASES), ctx.runId)
    const { result, windows } = await runFanoutOn(server, {
      kind: 'fanout',
      canvases,
      clientsPerCanvas: CLIENTS,
      rates: cfg.s2.rates,
      warmupMs: cfg.s2.warmupMs,
      measureMs: cfg.s2.measureMs,
      drainMs: cfg.s2.drainMs,
      paddingChars: PADDING_CHARS,
      stopAfterFailedSteps: cfg.s2.stopAfterFailedSteps,
      p99LimitMs: P99_LIMIT_MS,
    })
    let best = -1
    result.steps.forEach((step, i) => {
      if (keptUp(step.latencyMs)) best = i
    })
    const at = (i: number) => ({ step: result.steps[i], window: windows.get(i) })
    const top = best >= 0 ? at(best) : null
    const first = at(0)
    const steps = result.steps.map((step, i) => ({ ...step, server: windows.get(i) ?? null }))
    const notes: string[] = []
    const genBound = result.steps.find((s) => s.generatorCpu > 0.8 || s.generatorLagP99Ms > 20)
    if (genBound) {
      notes.push(
        `load generator near its limit from ${genBound.rate} upd/s (CPU ${genBound.generatorCpu.toFixed(2)}, ` +
          `schedule lag p99 ${genBound.generatorLagP99Ms.toFixed(1)} ms)`,
      )
    }
    const last = result.steps.at(-1)
    if (best >= 0 && best === result.steps.length - 1 && last?.rate === cfg.s2.rates.at(-1)) {
      notes.push(
        `kept p99 under ${P99_LIMIT_MS} ms up to the ramp's last step: its highest rate is at least that`,
      )
    }
    return {
      values: {
        ramp: {
          maxRate: top?.step ? top.step.rate : 0,
          p99AtMax: top?.step ? top.step.latencyMs.p99 : Number.NaN,
          cpuAtMax: top?.window ? top.window.cpu : Number.NaN,
          eldP99AtMax: top?.window ? top.window.eld.p99 : Number.NaN,
          p99AtFirst: first.step ? first.step.latencyMs.p99 : Number.NaN,
          cpuAtFirst: first.window ? first.window.cpu : Number.NaN,
        },
      },
      details: { steps },
      notes,
    }
  },
})
