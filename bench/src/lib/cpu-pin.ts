/**
 * CPU pinning with taskset where available: the server under test on core 0, load generators (and
 * the orchestrator) on core 1. Without taskset, or on a single core, commands run unpinned.
 *
 * The machine is shared with other work (builds, test suites), so bench processes also run at a
 * raised priority: nice BENCH_NICE (default -15 when running as root, else unchanged). With the
 * kernel's autogroup scheduling a process nice only ranks processes of one session against each
 * other, so the orchestrator also sets its session's autogroup nice; servers and workers inherit it.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'

const hasTaskset = ((): boolean => {
  const probe = spawnSync('taskset', ['--version'], { stdio: 'ignore' })
  return probe.status === 0
})()

export const pinningAvailable = hasTaskset && availableParallelism() >= 2

const niceValue = ((): number => {
  const fromEnv = process.env.BENCH_NICE
  if (fromEnv !== undefined && fromEnv !== '') {
    const n = Number(fromEnv)
    if (!Number.isInteger(n) || n < -20 || n > 19)
      throw new Error(`BENCH_NICE must be an integer in -20..19, got ${fromEnv}`)
    return n
  }
  return process.getuid?.() === 0 ? -15 : 0
})()

export const benchNice = niceValue

export const SERVER_CORE = 0
export const LOAD_CORE = 1

/** The command and arguments to run `cmd args` pinned to `core` (unchanged when pinning is unavailable). */
export const pinned = (core: number, cmd: string, args: readonly string[]): [string, string[]] => {
  const base: [string, string[]] = pinningAvailable
    ? ['taskset', ['-c', String(core), cmd, ...args]]
    : [cmd, [...args]]
  return niceValue === 0 ? base : ['nice', ['-n', String(niceValue), base[0], ...base[1]]]
}

/**
 * Pins the orchestrator to the load core: every thread of this process and of the processes it already started
 * (tsx's esbuild service). `taskset -p` and `renice -p` alone change only the main thread on Linux: the threads
 * V8 and tsx started before this call (GC helpers, esbuild's Go runtime) stayed free and at the default priority,
 * and `perf sched` showed them running on the server's core during its measurements.
 */
export const pinSelf = (core: number): void => {
  const pids = [process.pid, ...childProcessIds(process.pid)]
  if (pinningAvailable)
    for (const pid of pids)
      execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' })
  if (niceValue === 0) return
  for (const pid of pids)
    for (const tid of threadIds(pid))
      execFileSync('renice', ['-n', String(niceValue), '-p', String(tid)], { stdio: 'ignore' })
  if (existsSync('/proc/self/autogroup')) writeFileSync('/proc/self/autogroup', String(niceValue))
}

/** The thread ids of a process (Linux); just the process id where /proc is not there. */
const threadIds = (pid: number): number[] => {
  const dir = `/proc/${pid}/task`
  return existsSync(dir) ? readdirSync(dir).map(Number) : [pid]
}

/** The direct children of a process, from every thread's `children` list (Linux); none where /proc is not there. */
const childProcessIds = (pid: number): number[] =>
  threadIds(pid).flatMap((tid) => {
    const file = `/proc/${pid}/task/${tid}/children`
    if (!existsSync(file)) return []
    return readFileSync(file, 'utf8')
      .split(/\s+/)
      .filter((id) => id !== '')
      .map(Number)
  })
