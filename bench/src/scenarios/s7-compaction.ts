/** S7 snapshot/compaction under S2-style load: event-loop delay while the server compacts. */
import type { Config } from '../config.ts'
import { HOCUSPOCUS, JABIRU, REFERENCE } from '../servers/catalog.ts'
import { storedDoc } from './docgen.ts'
import { canvasNames, P99_LIMIT_MS, PADDING_CHARS, runFanoutOn } from './fanout-common.ts'
import { startWithStored } from './stored.ts'
import type { ScenarioDef } from './types.ts'

/** Jabiru compacts each loaded canvas on this interval during S7 (default 60 s, too rare for a window). */
export const JABIRU_COMPACT_INTERVAL_MS = 2000

export const s7 = (cfg: Config, withJabiru: boolean): ScenarioDef => ({
  id: 'S7',
  title: 'Snapshot/compaction under load',
  description:
    `${cfg.s7.canvases} canvases × 5 clients, each canvas starting from a stored ${cfg.s7.docBytes / 1000} KB ` +
    `fragmented document, under ${cfg.s7.rate} updates/s (open loop) for a ${cfg.s7.measureMs / 1000} s window. ` +
    `Jabiru runs with COMPACT_INTERVAL_MS=${JABIRU_COMPACT_INTERVAL_MS} so it folds journals into snapshots ` +
    'several times in the window; Hocuspocus runs with a store extension (its onStoreDocument snapshots each ' +
    'changed document at most every 10 s under continuous edits, so at least once per window); the reference ' +
    "server only writes a snapshot when a document's last client leaves, so it does no snapshot work here. " +
    'Event-loop delay p99/max, fan-out p99 and CPU over the window.',
  servers: withJabiru ? [JABIRU, HOCUSPOCUS, REFERENCE] : [HOCUSPOCUS, REFERENCE],
  variants: [{ key: 'compaction', label: 'compaction under load' }],
  metrics: [
    { key: 'eldP99', label: 'event-loop delay p99', unit: 'ms', better: 'lower' },
    { key: 'eldMax', label: 'event-loop delay max', unit: 'ms', better: 'lower' },
    { key: 'p99', label: 'fan-out p99', unit: 'ms', better: 'lower' },
    { key: 'cpu', label: 'server CPU', unit: 'cores', better: 'lower' },
  ],
  headline: ['eldP99', 'p99'],
  measure: async (spec, ctx) => {
    const doc = storedDoc('fragmented', cfg.s7.docBytes)
    const canvases = canvasNames(ctx.runId, 's7', cfg.s7.canvases).map((name) => ({ name, doc }))
    const env =
      spec.kind === 'jabiru' ? { COMPACT_INTERVAL_MS: String(JABIRU_COMPACT_INTERVAL_MS) } : undefined
    const { server, targets } = await startWithStored(spec, ctx, canvases, { restart: false, env })
    const { result, windows } = await runFanoutOn(server, {
      kind: 'fanout',
      canvases: targets,
      clientsPerCanvas: 5,
      rates: [cfg.s7.rate],
      warmupMs: cfg.s7.warmupMs,
      measureMs: cfg.s7.measureMs,
      drainMs: 3000,
      paddingChars: PADDING_CHARS,
      stopAfterFailedSteps: 1,
      p99LimitMs: P99_LIMIT_MS,
    })
    const step = result.steps[0]
    const window = windows.get(0)
    if (!step || !window) throw new Error('the load step did not complete')
    return {
      values: {
        compaction: {
          eldP99: window.eld.p99,
          eldMax: window.eld.max,
          p99: step.latencyMs.p99,
          cpu: window.cpu,
        },
      },
      details: { step, server: window },
    }
  },
})
