/** The shape of bench/results/*.json. */
import type { Spread } from '../lib/stats.ts'
import type { Comparison, MetricDef, Profile, VariantDef } from '../scenarios/types.ts'
import type { CoreCalibration } from './calibration.ts'

export interface MachineInfo {
  readonly cpuModel: string
  readonly cores: number
  readonly memoryGiB: number
  readonly node: string
  readonly os: string
  readonly pinned: boolean
  readonly nice: number
  readonly loadAverageAtStart: readonly number[]
  readonly loadAverageAtEnd: readonly number[]
  readonly jabiruCommit: string
  /** Node flags every server ran with (Jabiru's `npm start` flags); absent in older result files. */
  readonly serverNodeFlags?: readonly string[]
  /** BENCH_EXTRA_NODE_FLAGS of an experiment, added to every server's flags; absent when none were given. */
  readonly extraNodeFlags?: readonly string[]
  /** A fixed CPU workload per core before and after the run (run/calibration.ts); absent in older result files. */
  readonly calibration?: {
    readonly atStart: readonly CoreCalibration[]
    readonly atEnd: readonly CoreCalibration[]
  }
}

export interface RunOutcome {
  readonly run: number
  readonly values?: Readonly<Record<string, Readonly<Record<string, number>>>>
  readonly details?: unknown
  readonly notes?: readonly string[]
  readonly error?: string
  readonly seconds: number
  /** Hypervisor steal during this run, percent of core 0, core 1, ... (run/cpu-steal.ts); absent in older files. */
  readonly stealPercent?: readonly number[]
}

export interface RowResult {
  readonly server: string
  readonly runs: readonly RunOutcome[]
  /** variant → metric → median/min/max over the runs that succeeded. */
  readonly summary: Readonly<Record<string, Readonly<Record<string, Spread>>>>
}

export interface ScenarioResult {
  readonly id: string
  readonly title: string
  readonly description: string
  readonly variants: readonly VariantDef[]
  readonly metrics: readonly MetricDef[]
  readonly headline: readonly string[]
  readonly comparisons?: readonly Comparison[]
  readonly rows: readonly RowResult[]
  readonly skipped?: undefined
}

export interface SkippedResult {
  readonly id: string
  readonly title: string
  readonly skipped: string
}

export interface ProfileFrame {
  readonly selfPercent: number
  readonly functionName: string
  readonly location: string
}

export interface ProfileEvidence {
  readonly scenario: string
  readonly what: string
  readonly file: string
  readonly totalSamples: number
  readonly topSelf: readonly ProfileFrame[]
  readonly topByFile: readonly ProfileFrame[]
}

export interface BenchResults {
  readonly generatedAt: string
  readonly profile: Profile
  readonly benchId: string
  readonly runs: number
  readonly machine: MachineInfo
  readonly jabiru: { readonly available: boolean; readonly note?: string }
  readonly scenarios: readonly (ScenarioResult | SkippedResult)[]
  readonly profiles: readonly ProfileEvidence[]
  readonly elapsedSeconds: number
}

/** JSON cannot hold Infinity (a lost delivery makes a percentile infinite): stored as the string "inf". */
export const toJson = (value: unknown): string =>
  JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? null : v > 0 ? 'inf' : '-inf'
      return v
    },
    2,
  )

export const fromJson = (text: string): BenchResults =>
  JSON.parse(text, (_key, v: unknown) => {
    if (v === 'inf') return Number.POSITIVE_INFINITY
    if (v === '-inf') return Number.NEGATIVE_INFINITY
    if (v === null) return Number.NaN
    return v
  }) as BenchResults
