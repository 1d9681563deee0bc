/** Jobs the orchestrator hands to a load-generator process, and what comes back. */
import type { Target } from '../clients/raw-client.ts'
import type { Summary } from '../lib/stats.ts'

export interface FanoutJob {
  readonly kind: 'fanout'
  /** One target per canvas. */
  readonly canvases: readonly Target[]
  /** Clients per canvas: a number, or [min, max] spread round-robin over canvases (S4: 3-5). */
  readonly clientsPerCanvas: number | readonly [number, number]
  /** Offered rates in updates/s summed over all clients, run in order (open loop). */
  readonly rates: readonly number[]
  readonly warmupMs: number
  readonly measureMs: number
  /** Longest wait after a step for late deliveries; what has not arrived by then counts as lost. */
  readonly drainMs: number
  /** Extra characters in every update's value, after the stamp. */
  readonly paddingChars: number
  /** Stop the ramp after this many consecutive steps whose p99 is over `p99LimitMs`. */
  readonly stopAfterFailedSteps: number
  readonly p99LimitMs: number
  /** Send awareness (cursor) updates instead of document updates (S8). */
  readonly awareness?: boolean
  /**
   * S6: per canvas, the server instances its clients connect to in turn (client k of canvas c uses
   * `spreadOver[c][k % length]`; all of them name the same document). Default: the canvas's target.
   * With more than one, deliveries between clients on different instances are also summarized apart.
   */
  readonly spreadOver?: readonly (readonly Target[])[]
  /**
   * When this job is one part of a job split over several load processes (`splitFanoutJob`): the index of
   * `canvases[0]` in the whole job, so the round robin of `clientsPerCanvas` goes on where the previous part
   * stopped, and the id of this part's first client. Default 0 and 1.
   */
  readonly firstCanvasIndex?: number
  readonly firstClientId?: number
  /** Return every step's raw latencies (`FanoutResult.latencies`), for merging parts. */
  readonly returnLatencies?: boolean
}

/** How many clients a fan-out job puts on canvas `canvasIndex`: the round robin `clientsPerCanvas` describes. */
export const clientsOnCanvas = (
  clientsPerCanvas: FanoutJob['clientsPerCanvas'],
  canvasIndex: number,
): number =>
  typeof clientsPerCanvas === 'number'
    ? clientsPerCanvas
    : clientsPerCanvas[0] + (canvasIndex % (clientsPerCanvas[1] - clientsPerCanvas[0] + 1))

/** All the clients a fan-out job opens over `canvases` canvases. */
export const totalClients = (clientsPerCanvas: FanoutJob['clientsPerCanvas'], canvases: number): number => {
  let clients = 0
  for (let i = 0; i < canvases; i++) clients += clientsOnCanvas(clientsPerCanvas, i)
  return clients
}

export interface StepResult {
  readonly rate: number
  /** Updates actually sent per second in the measured window. */
  readonly sentPerSec: number
  /** Fan-out latency, ms; lost deliveries count as +Infinity. */
  readonly latencyMs: Summary
  /** With `spreadOver`: deliveries from a sender on one instance to a receiver on another only. */
  readonly crossLatencyMs?: Summary
  readonly expected: number
  readonly delivered: number
  /** How late the generator sent against its schedule, ms (p99): a sign the generator itself is the limit. */
  readonly generatorLagP99Ms: number
  /** Load generator CPU in the measured window, cores (1 = the whole load core). */
  readonly generatorCpu: number
}

export interface FanoutResult {
  readonly kind: 'fanout'
  readonly clients: number
  readonly connectMs: number
  readonly steps: readonly StepResult[]
  /** With `returnLatencies`: each step's latencies in ms, the deliveries that arrived. */
  readonly latencies?: readonly Float64Array[]
}

export interface StormJob {
  readonly kind: 'storm'
  readonly canvases: readonly Target[]
  readonly connections: number
  /** Connection attempts in flight at once. */
  readonly concurrency: number
  readonly connectTimeoutMs: number
}

export interface StormResult {
  readonly kind: 'storm'
  readonly connected: number
  readonly failed: number
  readonly firstErrors: readonly string[]
  readonly elapsedMs: number
  readonly connectionsPerSec: number
  /** Time from starting the connection to synced, ms. */
  readonly syncedMs: Summary
}

export interface JoinGroup {
  readonly key: string
  /** Joiners per round, all at once. */
  readonly joiners: number
  /** One stored canvas per round, none opened before (so every round is a cold load). */
  readonly rounds: readonly Target[]
  /** Text the complete document contains; a sync step 2 without it counts as a failure. */
  readonly endMarker: string
}

export interface JoinJob {
  readonly kind: 'join'
  readonly groups: readonly JoinGroup[]
  readonly connectTimeoutMs: number
}

export interface JoinGroupResult {
  readonly key: string
  readonly syncedMs: Summary
  readonly incomplete: number
  readonly step2Bytes: number
  readonly firstErrors: readonly string[]
}

export interface JoinResult {
  readonly kind: 'join'
  readonly groups: readonly JoinGroupResult[]
}

export interface ChurnJob {
  readonly kind: 'churn'
  readonly canvases: readonly Target[]
  /** Clients opened per cycle, each on the next canvas in turn. */
  readonly clientsPerCycle: number
  readonly editsPerClient: number
  readonly durationMs: number
  readonly connectTimeoutMs: number
}

export interface ChurnResult {
  readonly kind: 'churn'
  readonly cycles: number
  readonly sessions: number
  readonly failed: number
  readonly firstErrors: readonly string[]
  readonly syncedMs: Summary
}

export interface PopulateJob {
  readonly kind: 'populate'
  readonly canvases: readonly {
    readonly target: Target
    /** Yjs updates to send in order. */
    readonly updates: readonly Uint8Array[]
    /** Text the complete document contains, to confirm the server has all of it. */
    readonly endMarker: string
  }[]
}

export interface PopulateResult {
  readonly kind: 'populate'
  readonly sent: number
}

export type Job = FanoutJob | StormJob | JoinJob | ChurnJob | PopulateJob
export type JobResult = FanoutResult | StormResult | JoinResult | ChurnResult | PopulateResult

/** Worker → orchestrator. Events wait for an `ack` so the orchestrator can sample server metrics. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'event'; readonly id: number; readonly name: string; readonly step?: number }
  | { readonly type: 'result'; readonly result: JobResult }
  | { readonly type: 'error'; readonly message: string }

/** Orchestrator → worker. */
export type OrchestratorMessage =
  | { readonly type: 'job'; readonly job: Job }
  | { readonly type: 'ack'; readonly id: number }
