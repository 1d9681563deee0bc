/** Sizes and durations of each scenario in the quick and full profiles. */
import type { Profile } from './scenarios/types.ts'

export interface Config {
  readonly runs: number
  readonly s1: { readonly connections: number; readonly canvases: number; readonly concurrency: number }
  readonly s2: {
    readonly rates: readonly number[]
    readonly warmupMs: number
    readonly measureMs: number
    readonly drainMs: number
    readonly stopAfterFailedSteps: number
  }
  readonly s3: {
    readonly clients: readonly number[]
    readonly perClientRate: number
    readonly warmupMs: number
    readonly measureMs: number
  }
  readonly s4: {
    readonly canvases: number
    readonly warmupMs: number
    readonly measureMs: number
    /** Load processes the clients are split over, by canvas (see scenarios/fanout-split.ts). */
    readonly loadProcesses: number
  }
  readonly s5: {
    readonly sizes: readonly number[]
    readonly singleJoinerRounds: number
    readonly crowd: number
  }
  readonly s6: {
    readonly clients: number
    readonly perClientRate: number
    readonly warmupMs: number
    readonly measureMs: number
  }
  readonly s7: {
    readonly canvases: number
    readonly docBytes: number
    readonly rate: number
    readonly warmupMs: number
    readonly measureMs: number
  }
  readonly s8: {
    readonly clients: number
    readonly hz: number
    readonly warmupMs: number
    readonly measureMs: number
  }
  readonly s9: {
    readonly durationMs: number
    readonly canvases: number
    readonly clientsPerCycle: number
    readonly settleMs: number
  }
  readonly s10: {
    /** Versions the canvas gets (one edit, then one named version, each time). */
    readonly versions: number
    /** Characters each edit adds (a new map entry), so the canvas grows to about versions × entryChars. */
    readonly entryChars: number
    /** Random versions fetched per route, one request at a time, after `warmupRequests` unmeasured ones. */
    readonly samples: number
    readonly warmupRequests: number
  }
  /** S3 and S4 also measure JABIRU_TWIN, an identical second Jabiru (the A/A control; catalog.ts). */
  readonly aaTwin: boolean
  /** Scenario ids this profile runs. */
  readonly scenarios: readonly string[]
}

const full: Config = {
  runs: 3,
  s1: { connections: 10_000, canvases: 2_000, concurrency: 200 },
  s2: {
    // The ramp goes to 20,000 updates/s. On a fast machine Jabiru and the relay pass that step, and a
    // ramp that ends there cannot tell their highest rate: it goes on in the same 2,000 steps while a server keeps
    // up, to what one core of load generator can offer (notes in the results say when it nears its limit).
    rates: [
      1000, 2000, 4000, 6000, 8000, 10000, 12000, 14000, 16000, 18000, 20000, 22000, 24000, 26000, 28000,
    ],
    warmupMs: 1500,
    measureMs: 4000,
    drainMs: 2000,
    stopAfterFailedSteps: 2,
  },
  // 12 s measured: with 5 clients at 5 updates/s each, a 4 s window held 100 updates (400 deliveries), so a run's
  // p99 was decided by the single slowest update, one stall or none; 300 updates make it the third-slowest.
  s3: { clients: [5, 20, 50], perClientRate: 5, warmupMs: 1000, measureMs: 12_000 },
  s4: { canvases: 1000, warmupMs: 3000, measureMs: 8000, loadProcesses: 2 },
  s5: { sizes: [10_000, 100_000, 1_000_000], singleJoinerRounds: 3, crowd: 50 },
  s6: { clients: 20, perClientRate: 5, warmupMs: 1000, measureMs: 5000 },
  s7: { canvases: 10, docBytes: 200_000, rate: 1000, warmupMs: 2000, measureMs: 12_000 },
  s8: { clients: 20, hz: 10, warmupMs: 1000, measureMs: 5000 },
  s9: { durationMs: 45_000, canvases: 200, clientsPerCycle: 50, settleMs: 12_000 },
  s10: { versions: 1000, entryChars: 200, samples: 300, warmupRequests: 20 },
  aaTwin: true,
  scenarios: ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9', 'S10'],
}

const quick: Config = {
  ...full,
  s2: {
    rates: [2000, 5000, 10000, 20000],
    warmupMs: 600,
    measureMs: 1500,
    drainMs: 1000,
    stopAfterFailedSteps: 2,
  },
  s3: { clients: [20], perClientRate: 5, warmupMs: 500, measureMs: 2000 },
  aaTwin: false,
  scenarios: ['S2', 'S3'],
}

export const configFor = (profile: Profile): Config => (profile === 'full' ? full : quick)
