/**
 * A fan-out job split by canvas over several load processes, and their results merged into one.
 *
 * Why: a load process's own scavenges hold its event loop, and every delivery that arrives meanwhile is
 * timestamped late. S4 put 4,000 clients in one process. In three runs each of Jabiru and the reference, that
 * process scavenged about 2.4 times a second for 5-15 ms, and its pauses overlapped 11-56 % of the deliveries over
 * the p99, for either server: the tail measured the load generator as much as the server. Split in two, each
 * process pauses for 3-4.5 ms on average and holds only its own clients' deliveries; the overlap fell to 1-12 %.
 *
 * The parts run together on the load core, each with whole canvases (a sender's receivers are in its process),
 * start their schedules together (every event passes a barrier) and return raw latencies, which are merged before
 * the percentiles are taken.
 */
import { summarize } from '../lib/stats.ts'
import { clientsOnCanvas, type FanoutJob, type FanoutResult, type StepResult } from '../load/jobs.ts'
import type { EventHandler } from '../run/load-process.ts'

/** `job` cut into `parts` jobs of consecutive canvases with about as many clients each, rates shared pro rata. */
export const splitFanoutJob = (job: FanoutJob, parts: number): FanoutJob[] => {
  if (!Number.isInteger(parts) || parts < 1)
    throw new RangeError(`parts must be a positive integer: ${parts}`)
  if (job.spreadOver !== undefined) throw new Error('a job spread over server instances cannot be split')
  if (job.rates.length !== 1) {
    // Each part would decide alone when its ramp stops; the parts would then wait for each other forever.
    throw new Error(`only a single-step job can be split (this one has ${job.rates.length} steps)`)
  }
  if (job.canvases.length < parts)
    throw new Error(`${job.canvases.length} canvases cannot make ${parts} parts`)
  const offset = job.firstCanvasIndex ?? 0
  const perCanvas = job.canvases.map((_, i) => clientsOnCanvas(job.clientsPerCanvas, offset + i))
  const total = sum(perCanvas, (n) => n)
  // Where each part's canvases start: a cut falls where the clients so far come nearest the part's share, and
  // every part keeps at least one canvas.
  const starts = [0]
  let canvas = 0
  let clients = 0
  for (let part = 0; part < parts - 1; part++) {
    const share = (total * (part + 1)) / parts
    const last = job.canvases.length - (parts - 1 - part)
    while (canvas < last && (canvas === starts[part] || clients + perCanvas[canvas]! / 2 <= share)) {
      clients += perCanvas[canvas]!
      canvas++
    }
    starts.push(canvas)
  }
  starts.push(job.canvases.length)
  const jobs: FanoutJob[] = []
  let firstClient = 0
  for (let part = 0; part < parts; part++) {
    const from = starts[part]!
    const to = starts[part + 1]!
    const partClients = sum(perCanvas.slice(from, to), (n) => n)
    jobs.push({
      ...job,
      canvases: job.canvases.slice(from, to),
      rates: job.rates.map((rate) => (rate * partClients) / total),
      firstCanvasIndex: offset + from,
      firstClientId: (job.firstClientId ?? 1) + firstClient,
      returnLatencies: true,
    })
    firstClient += partClients
  }
  return jobs
}

/** The parts' results as one: latencies merged before the percentiles, counts and rates summed. */
export const mergeFanoutResults = (job: FanoutJob, parts: readonly FanoutResult[]): FanoutResult => {
  const steps = Math.min(...parts.map((part) => part.steps.length))
  const merged: StepResult[] = []
  for (let i = 0; i < steps; i++) {
    const of = parts.map((part) => part.steps[i]!)
    const latencies = parts.map((part) => {
      const values = part.latencies?.[i]
      if (values === undefined) throw new Error(`a part returned no latencies for step ${i}`)
      return values
    })
    const all = new Float64Array(latencies.reduce((n, values) => n + values.length, 0))
    let at = 0
    for (const values of latencies) {
      all.set(values, at)
      at += values.length
    }
    const expected = sum(of, (step) => step.expected)
    const delivered = sum(of, (step) => step.delivered)
    merged.push({
      rate: job.rates[i]!,
      sentPerSec: sum(of, (step) => step.sentPerSec),
      latencyMs: summarize(all, Math.max(0, expected - delivered)),
      expected,
      delivered,
      // The slowest part's: a sign that one process was the limit.
      generatorLagP99Ms: Math.max(...of.map((step) => step.generatorLagP99Ms)),
      generatorCpu: sum(of, (step) => step.generatorCpu),
    })
  }
  return {
    kind: 'fanout',
    clients: sum(parts, (part) => part.clients),
    connectMs: Math.max(...parts.map((part) => part.connectMs)),
    steps: merged,
  }
}

const sum = <T>(items: readonly T[], of: (item: T) => number): number =>
  items.reduce((total, item) => total + of(item), 0)

/**
 * Lets the parts' events through once all of them have sent it: the handler runs once per event, and every part
 * goes on when it is done. So the parts start their schedules together (after 'connected'), and the server's
 * window opens once for all of them.
 */
export class EventBarrier {
  private readonly arrivals = new Map<string, Arrival>()

  constructor(
    private readonly parts: number,
    private readonly handler: EventHandler,
  ) {}

  readonly onEvent: EventHandler = (name, step) => {
    const key = `${name}\u0000${step ?? ''}`
    let arrival = this.arrivals.get(key)
    if (arrival === undefined) {
      arrival = new Arrival()
      this.arrivals.set(key, arrival)
    }
    arrival.count++
    if (arrival.count === this.parts) {
      this.arrivals.delete(key)
      arrival.release(() => this.handler(name, step))
    }
    return arrival.released
  }
}

/** One event's arrivals so far, and the promise every part waits on. */
class Arrival {
  count = 0
  readonly released: Promise<void>
  private resolve: () => void = () => undefined
  private reject: (error: unknown) => void = () => undefined

  constructor() {
    this.released = new Promise<void>((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
  }

  /** Runs the event's handler once and lets every waiting part go on with its outcome. */
  release(handler: () => Promise<void> | void): void {
    Promise.resolve().then(handler).then(this.resolve, this.reject)
  }
}
