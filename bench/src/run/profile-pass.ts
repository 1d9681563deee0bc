/** Profile evidence: a CPU profile of Jabiru under load, summarized to its top frames. */
import type { Config } from '../config.ts'
import type { ProfileEvidence } from './results.ts'

export const profileJabiru = async (
  _cfg: Config,
  _workDir: string,
  _outDir: string,
  log: (msg: string) => void,
): Promise<ProfileEvidence[]> => {
  log('profile pass: not implemented yet')
  return []
}
