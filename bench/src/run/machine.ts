/** Machine facts recorded with every result file. */
import { execFileSync } from 'node:child_process'
import { cpus, loadavg, release, totalmem, type } from 'node:os'
import { benchNice, pinningAvailable } from '../lib/cpu-pin.ts'
import { extraNodeFlags, serverNodeFlags } from '../servers/launch.ts'
import type { MachineInfo } from './results.ts'

const gitHead = (repoDir: string): string => {
  try {
    const head = execFileSync('git', ['-C', repoDir, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).trim()
    const dirty = execFileSync(
      'git',
      ['-C', repoDir, 'status', '--porcelain', '--', 'server', 'shared', 'persistence'],
      {
        encoding: 'utf8',
      },
    ).trim()
    return dirty ? `${head} + uncommitted changes in server/shared/persistence` : head
  } catch (err) {
    return `unknown (${err instanceof Error ? err.message : String(err)})`
  }
}

export const machineInfo = (
  repoDir: string,
  loadAverageAtStart: readonly number[],
  calibration: NonNullable<MachineInfo['calibration']>,
): MachineInfo => {
  const extra = extraNodeFlags()
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${type()} ${release()}`,
    pinned: pinningAvailable,
    nice: benchNice,
    loadAverageAtStart,
    loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
    jabiruCommit: gitHead(repoDir),
    serverNodeFlags: serverNodeFlags(),
    ...(extra.length > 0 ? { extraNodeFlags: extra } : {}),
    calibration,
  }
}
