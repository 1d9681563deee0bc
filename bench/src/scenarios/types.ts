/** What a scenario is and what it gives back, per server and run. */

import type { ServerSpec } from '../servers/catalog.ts'
import type { RunningServer } from '../servers/launch.ts'

export type Profile = 'quick' | 'full'

export interface MetricDef {
  readonly key: string
  readonly label: string
  readonly unit: string
  readonly better: 'higher' | 'lower'
}

export interface VariantDef {
  readonly key: string
  readonly label: string
}

/** One server, one run: metric values per variant, plus free-form details kept in the JSON. */
export interface Measurement {
  readonly values: Readonly<Record<string, Readonly<Record<string, number>>>>
  readonly details?: unknown
  readonly notes?: readonly string[]
}

export interface RunContext {
  readonly profile: Profile
  /** Unique per run; every canvas name and Jabiru user derives from it. */
  readonly runId: string
  /** Scratch directory for this server and run (data dirs, stores, logs). */
  readonly workDir: string
  readonly log: (msg: string) => void
  /** Starts `spec` (fresh process) with optional stored canvases; always stopped by the runner. */
  readonly start: (
    spec: ServerSpec,
    options?: {
      storeDir?: string
      dataDir?: string
      env?: Readonly<Record<string, string>>
      /** Jabiru on PostgreSQL: share this database instead of creating a fresh one (S6). */
      databaseUrl?: string
    },
  ) => Promise<RunningServer>
}

/**
 * One row's metric set against a baseline row's, run by run (S6: two instances against one): the
 * report shows the per-run ratio and difference, median (min–max).
 */
export interface Comparison {
  readonly row: string
  readonly baseline: string
  readonly variant: string
  readonly metric: string
  /** The baseline's metric, when it is not `metric` (S6: cross-instance p99 against one instance's p99). */
  readonly baselineMetric?: string
}

export interface ScenarioDef {
  readonly id: string
  readonly title: string
  /** One paragraph: what load, what is measured. */
  readonly description: string
  readonly servers: readonly ServerSpec[]
  readonly variants: readonly VariantDef[]
  readonly metrics: readonly MetricDef[]
  /** Metric that headlines the scenario (used for ratios to peers). */
  readonly headline: readonly string[]
  /** Rows compared with other rows of the same scenario (rendered under its tables). */
  readonly comparisons?: readonly Comparison[]
  readonly measure: (spec: ServerSpec, ctx: RunContext) => Promise<Measurement>
}

/** A scenario that is not run, with the reason. */
export interface SkippedScenario {
  readonly id: string
  readonly title: string
  readonly skipped: string
}
