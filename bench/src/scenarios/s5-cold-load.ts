/** S5 cold load: stored canvases of 10 KB / 100 KB / 1 MB, append-only and fragmented; 1 and 50 joiners. */
import type { Config } from '../config.ts'
import type { JoinGroup, JoinResult } from '../load/jobs.ts'
import { runJob } from '../run/load-process.ts'
import { HOCUSPOCUS, JABIRU, REFERENCE } from '../servers/catalog.ts'
import { type DocKind, storedDoc } from './docgen.ts'
import { canvasNames } from './fanout-common.ts'
import { startWithStored } from './stored.ts'
import type { ScenarioDef } from './types.ts'

const KINDS: readonly DocKind[] = ['append-only', 'fragmented']
const label = (bytes: number): string =>
  bytes >= 1_000_000 ? `${bytes / 1_000_000} MB` : `${bytes / 1000} KB`

export const s5 = (cfg: Config, withJabiru: boolean): ScenarioDef => {
  const combos = cfg.s5.sizes.flatMap((size) => KINDS.map((kind) => ({ size, kind, key: `${size}-${kind}` })))
  return {
    id: 'S5',
    title: 'Cold load',
    description:
      `Stored canvases of ${cfg.s5.sizes.map(label).join(' / ')} (Yjs state size), append-only and fragmented ` +
      '(see docgen.ts). Jabiru receives them as edits through its protocol and is restarted, so every canvas ' +
      'is loaded from its storage; the peers load them from a file store in their load hook. Time from ' +
      `opening the socket to a sync step 2 holding the whole canvas: ${cfg.s5.singleJoinerRounds} cold canvases ` +
      `with 1 joiner each, and 1 cold canvas with ${cfg.s5.crowd} joiners at once, after a warm-up on two ` +
      'other stored canvases. The raw relay keeps no ' +
      'documents and is not part of this scenario.',
    servers: withJabiru ? [JABIRU, HOCUSPOCUS, REFERENCE] : [HOCUSPOCUS, REFERENCE],
    variants: combos.map((c) => ({ key: c.key, label: `${label(c.size)} ${c.kind}` })),
    metrics: [
      { key: 'p50One', label: '1 joiner p50', unit: 'ms', better: 'lower' },
      { key: 'p99One', label: '1 joiner p99', unit: 'ms', better: 'lower' },
      { key: 'p50Crowd', label: `${cfg.s5.crowd} joiners p50`, unit: 'ms', better: 'lower' },
      { key: 'p99Crowd', label: `${cfg.s5.crowd} joiners p99`, unit: 'ms', better: 'lower' },
    ],
    headline: ['p99One', 'p99Crowd'],
    measure: async (spec, ctx) => {
      const copies = cfg.s5.singleJoinerRounds + 1
      // Two warm-up canvases come first: joined before measuring so that code paths are warm.
      const warm = storedDoc('append-only', 10_000)
      const canvases = [
        ...canvasNames(ctx.runId, 's5-warmup', 2).map((name) => ({ name, doc: warm })),
        ...combos.flatMap((c) =>
          canvasNames(ctx.runId, `s5-${c.key}`, copies).map((name) => ({
            name,
            doc: storedDoc(c.kind, c.size),
          })),
        ),
      ]
      const { targets, populateSeconds } = await startWithStored(spec, ctx, canvases, { restart: true })
      const groups: JoinGroup[] = [
        { key: 'warmup/one', joiners: 1, rounds: targets.slice(0, 1), endMarker: warm.endMarker },
        { key: 'warmup/crowd', joiners: 10, rounds: targets.slice(1, 2), endMarker: warm.endMarker },
      ]
      combos.forEach((c, ci) => {
        const mine = targets.slice(2 + ci * copies, 2 + (ci + 1) * copies)
        const endMarker = storedDoc(c.kind, c.size).endMarker
        groups.push({
          key: `${c.key}/one`,
          joiners: 1,
          rounds: mine.slice(0, cfg.s5.singleJoinerRounds),
          endMarker,
        })
        groups.push({
          key: `${c.key}/crowd`,
          joiners: cfg.s5.crowd,
          rounds: mine.slice(cfg.s5.singleJoinerRounds),
          endMarker,
        })
      })
      const result = await runJob<JoinResult>(
        { kind: 'join', groups, connectTimeoutMs: 60_000 },
        () => undefined,
        600_000,
      )
      const values: Record<string, Record<string, number>> = {}
      const notes: string[] = []
      for (const c of combos) {
        const one = result.groups.find((g) => g.key === `${c.key}/one`)
        const crowd = result.groups.find((g) => g.key === `${c.key}/crowd`)
        if (!one || !crowd) throw new Error(`no join result for ${c.key}`)
        values[c.key] = {
          p50One: one.syncedMs.p50,
          p99One: one.syncedMs.p99,
          p50Crowd: crowd.syncedMs.p50,
          p99Crowd: crowd.syncedMs.p99,
        }
        for (const g of [one, crowd]) {
          if (g.incomplete || g.firstErrors.length) {
            notes.push(
              `${g.key}: ${g.incomplete} incomplete sync(s), errors: ${g.firstErrors.join('; ') || 'none'}`,
            )
          }
        }
      }
      return { values, details: { populateSeconds, groups: result.groups }, notes }
    },
  }
}
