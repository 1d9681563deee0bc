/** Every scenario of the issue, in order; S6 and S10 are skipped with the reason. */
import type { Config } from '../config.ts'
import type { SkippedResult } from '../run/results.ts'
import { s2 } from './s2-saturation.ts'
import { s3 } from './s3-hot-canvas.ts'
import type { ScenarioDef } from './types.ts'

export const buildScenarios = (cfg: Config, withJabiru: boolean): (ScenarioDef | SkippedResult)[] => [
  s2(cfg, withJabiru),
  s3(cfg, withJabiru),
  {
    id: 'S6',
    title: 'Two instances on Redis',
    skipped: 'scale-out (several Jabiru instances sharing rooms through Redis) has not landed yet.',
  },
  {
    id: 'S10',
    title: 'History',
    skipped: 'versions/history have not landed yet.',
  },
]
