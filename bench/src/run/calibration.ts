/**
 * A fixed CPU workload timed on each core at the start and the end of a run. The same commit measured on a quiet
 * and on a busy machine differed more than the servers did (bench/ANALYSIS.md, the run at 79f3040), and a virtual
 * machine's load average does not show its host's contention: this number does, so runs can be told apart.
 */
import { spawnSync } from 'node:child_process'
import { cpus } from 'node:os'
import { pinned } from '../lib/cpu-pin.ts'

export interface CoreCalibration {
  readonly core: number
  /** Rounds of the workload below per second (higher is a faster or quieter core). */
  readonly roundsPerSecond: number
}

const WINDOW_MS = 300
const WINDOWS = 3

// One round: a JSON round trip of a small document and a SHA-256 of 1 KB, JavaScript and native work like a
// server's. Counted over three fixed windows after a short warm-up; the median window is reported.
const WORKLOAD = `
const { createHash } = require('node:crypto')
const doc = { blocks: Array.from({ length: 20 }, (_, i) => ({ id: 'b' + i, x: i % 12, w: 4, text: 'x'.repeat(40) })) }
const bytes = Buffer.alloc(1024, 7)
const round = () => { JSON.parse(JSON.stringify(doc)); createHash('sha256').update(bytes).digest() }
let end = performance.now() + 100
while (performance.now() < end) round()
const rates = []
for (let w = 0; w < ${WINDOWS}; w++) {
  let rounds = 0
  const start = performance.now()
  end = start + ${WINDOW_MS}
  while (performance.now() < end) { round(); rounds++ }
  rates.push(rounds / ((performance.now() - start) / 1000))
}
process.stdout.write(String(rates.sort((a, b) => a - b)[Math.floor(${WINDOWS} / 2)]))
`

export const calibrate = (): CoreCalibration[] => {
  // cpus(), not availableParallelism(): the orchestrator is already pinned to one core. The bench uses cores 0-1.
  const cores = Math.min(cpus().length, 2)
  return Array.from({ length: cores }, (_, core) => {
    const [cmd, args] = pinned(core, process.execPath, ['-e', WORKLOAD])
    const run = spawnSync(cmd, args, { encoding: 'utf8' })
    const roundsPerSecond = Number(run.stdout)
    if (run.status !== 0 || !Number.isFinite(roundsPerSecond)) {
      throw new Error(`CPU calibration on core ${core} failed: ${run.stderr || run.error?.message}`)
    }
    return { core, roundsPerSecond: Math.round(roundsPerSecond) }
  })
}
