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
    options?: { storeDir?: string; dataDir?: string; env?: Readonly<Record<string, string>> },
  ) => Promise<RunningServer>
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
  readonly measure: (spec: ServerSpec, ctx: RunContext) => Promise<Measurement>
}

/** A scenario that is not run, with the reason. */
export interface SkippedScenario {
  readonly id: string
  readonly title: string
  readonly skipped: string
}
