/** Summarizes a V8 .cpuprofile: self time by function and by package, as a share of non-idle samples. */
import { readFileSync } from 'node:fs'
import type { ProfileFrame } from '../run/results.ts'

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}

interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly hitCount?: number
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly samples?: readonly number[]
}

const shortUrl = (url: string, repoDir: string): string => {
  if (!url) return '(native)'
  const path = url.replace(/^file:\/\//, '')
  return path.startsWith(repoDir) ? path.slice(repoDir.length) : path
}

/** node_modules/<package>, a top-level directory of the repo, node internals, wasm, or native. */
const bucket = (url: string, functionName: string, repoDir: string): string => {
  if (!url) return `native ${functionName}`
  if (url.startsWith('wasm://')) return "wasm (the only wasm module in Jabiru is PGlite's Postgres)"
  if (url.startsWith('node:')) return 'node internals'
  const path = shortUrl(url, repoDir)
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)
  if (pkg?.[1]) return pkg[1]
  const dir = path.split('/')[0]
  return dir ? `${dir}/` : path
}

export interface ProfileSummary {
  readonly totalSamples: number
  readonly topSelf: ProfileFrame[]
  readonly topByFile: ProfileFrame[]
}

export const summarizeProfile = (file: string, repoDir: string, top = 15): ProfileSummary => {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const hits = new Map<number, number>()
  if (profile.samples) for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1)
  const byFrame = new Map<string, { frame: ProfileFrame; n: number }>()
  const byFile = new Map<string, number>()
  let total = 0
  for (const node of profile.nodes) {
    const n = profile.samples ? (hits.get(node.id) ?? 0) : (node.hitCount ?? 0)
    if (n === 0 || node.callFrame.functionName === '(idle)') continue
    total += n
    const location = `${shortUrl(node.callFrame.url, repoDir)}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ''}`
    const name = node.callFrame.functionName || '(anonymous)'
    const key = `${name}@${location}`
    const entry = byFrame.get(key) ?? { frame: { selfPercent: 0, functionName: name, location }, n: 0 }
    entry.n += n
    byFrame.set(key, entry)
    const group = bucket(node.callFrame.url, name, repoDir)
    byFile.set(group, (byFile.get(group) ?? 0) + n)
  }
  const pct = (n: number): number => (total ? (100 * n) / total : 0)
  return {
    totalSamples: total,
    topSelf: [...byFrame.values()]
      .sort((a, b) => b.n - a.n)
      .slice(0, top)
      .map((e) => ({ ...e.frame, selfPercent: pct(e.n) })),
    topByFile: [...byFile.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([location, n]) => ({ selfPercent: pct(n), functionName: '', location })),
  }
}
