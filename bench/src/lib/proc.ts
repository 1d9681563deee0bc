/** Process metrics read from /proc (Linux): CPU time and resident set size of a pid. */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const clockTicks = (): number => {
  const out = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()
  const ticks = Number(out)
  if (!Number.isFinite(ticks) || ticks <= 0) throw new Error(`getconf CLK_TCK gave ${out}`)
  return ticks
}
const TICKS = clockTicks()

/** User + system CPU seconds consumed so far by `pid`. */
export const cpuSeconds = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may hold spaces; fields after the closing paren are space-separated.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(rest[11])
  const stime = Number(rest[12])
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`cannot parse /proc/${pid}/stat`)
  return (utime + stime) / TICKS
}

/** Resident set size of `pid` in bytes. */
export const rssBytes = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)
  if (!match?.[1]) throw new Error(`no VmRSS in /proc/${pid}/status`)
  return Number(match[1]) * 1024
}
