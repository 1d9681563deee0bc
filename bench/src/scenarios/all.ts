/** Every scenario of the issue, in order. S6 and S10 measure Jabiru alone and are skipped without it. */
import type { Config } from '../config.ts'
import type { SkippedResult } from '../run/results.ts'
import { s1 } from './s1-connect-storm.ts'
import { s2 } from './s2-saturation.ts'
import { s3 } from './s3-hot-canvas.ts'
import { s4 } from './s4-quiet-canvases.ts'
import { s5 } from './s5-cold-load.ts'
import { s6 } from './s6-two-instances.ts'
import { s7 } from './s7-compaction.ts'
import { s8 } from './s8-awareness.ts'
import { s9 } from './s9-churn.ts'
import { s10 } from './s10-history.ts'
import type { ScenarioDef } from './types.ts'

/** A scenario with no peer rows: skipped, with the reason, when Jabiru is not measured. */
const jabiruOnly = (def: ScenarioDef, withJabiru: boolean): ScenarioDef | SkippedResult =>
  withJabiru
    ? def
    : {
        id: def.id,
        title: def.title,
        skipped: 'it measures Jabiru alone, and Jabiru is not measured in this run.',
      }

export const buildScenarios = (cfg: Config, withJabiru: boolean): (ScenarioDef | SkippedResult)[] => [
  s1(cfg, withJabiru),
  s2(cfg, withJabiru),
  s3(cfg, withJabiru),
  s4(cfg, withJabiru),
  s5(cfg, withJabiru),
  jabiruOnly(s6(cfg), withJabiru),
  s7(cfg, withJabiru),
  s8(cfg, withJabiru),
  s9(cfg, withJabiru),
  jabiruOnly(s10(cfg), withJabiru),
]
