/**
 * S2/S3/S4/S7/S8 load: clients on canvases send stamped updates (or awareness) at an open-loop rate;
 * every other client of the canvas measures fan-out latency from the stamp. Each step runs a warm-up,
 * then a measured window; what has not arrived `drainMs` after the window counts as lost.
 */
import type { RawClient } from '../clients/raw-client.ts'
import { Samples } from '../lib/stats.ts'
import { sleep } from '../lib/time.ts'
import type { Stamp } from '../protocol/stamp.ts'
import { nowMicros } from '../protocol/stamp.ts'
import { closeAll, connectAll, type Planned } from './connect.ts'
import { event } from './ipc.ts'
import { clientsOnCanvas, type FanoutJob, type FanoutResult, type StepResult } from './jobs.ts'
import { runSchedule } from './schedule.ts'

const CONNECT_CONCURRENCY = 100
const CONNECT_TIMEOUT_MS = 30_000

export const runFanout = async (job: FanoutJob): Promise<FanoutResult> => {
  let windowFrom = Number.POSITIVE_INFINITY
  let windowTo = Number.POSITIVE_INFINITY
  let latency = new Samples()
  let crossLatency = new Samples()
  let delivered = 0
  let crossDelivered = 0
  /** Client id → index of the server instance it is connected to (S6; always 0 otherwise). */
  const instanceOf = new Map<number, number>()
  const recorderFor =
    (receiver: number) =>
    (s: Stamp, recv: number): void => {
      if (s.micros >= windowFrom && s.micros < windowTo) {
        const ms = (recv - s.micros) / 1000
        latency.add(ms)
        delivered++
        if (instanceOf.get(s.sender) !== instanceOf.get(receiver)) {
          crossLatency.add(ms)
          crossDelivered++
        }
      }
    }

  const plan: Planned[] = []
  const fanoutOf = new Map<number, number>()
  const crossFanoutOf = new Map<number, number>()
  const spread = job.spreadOver !== undefined
  let nextId = job.firstClientId ?? 1
  const firstCanvas = job.firstCanvasIndex ?? 0
  job.canvases.forEach((target, ci) => {
    const n = clientsOnCanvas(job.clientsPerCanvas, firstCanvas + ci)
    const instances = job.spreadOver?.[ci] ?? [target]
    if (instances.length === 0) throw new Error(`canvas ${ci}: spreadOver lists no instance`)
    const onInstance = instances.map(
      (_, i) => Math.floor(n / instances.length) + (i < n % instances.length ? 1 : 0),
    )
    for (let k = 0; k < n; k++) {
      const id = nextId++
      const instance = k % instances.length
      instanceOf.set(id, instance)
      fanoutOf.set(id, n - 1)
      crossFanoutOf.set(id, n - onInstance[instance]!)
      const record = recorderFor(id)
      plan.push({
        target: instances[instance]!,
        id,
        options: job.awareness
          ? { sender: true, onAwarenessStamp: record }
          : { sender: true, onUpdateStamp: record },
      })
    }
  })

  const connectStart = performance.now()
  const { clients, errors } = await connectAll(plan, CONNECT_CONCURRENCY, CONNECT_TIMEOUT_MS)
  const connectMs = performance.now() - connectStart
  if (errors.length > 0) {
    await closeAll(clients)
    throw new Error(`${errors.length} of ${plan.length} clients failed to connect; first: ${errors[0]}`)
  }
  await event('connected')

  const padding = 'x'.repeat(job.paddingChars)
  const send = (client: RawClient, i: number): number =>
    job.awareness ? client.sendAwareness(i % 1000, (i * 7) % 1000) : client.sendStamped(padding)

  const steps: StepResult[] = []
  const latencies: Float64Array[] = []
  let failedInRow = 0
  for (const [stepIndex, rate] of job.rates.entries()) {
    windowFrom = Number.POSITIVE_INFINITY
    windowTo = Number.POSITIVE_INFINITY
    latency = new Samples()
    crossLatency = new Samples()
    delivered = 0
    crossDelivered = 0
    let expected = 0
    let crossExpected = 0
    let inWindow = 0
    // The measured window is fixed against the schedule's start, whatever the orchestrator does.
    const startMicros = nowMicros()
    windowFrom = startMicros + job.warmupMs * 1000
    windowTo = windowFrom + job.measureMs * 1000
    const sendOne = (i: number): void => {
      const client = clients[i % clients.length]!
      const micros = send(client, i)
      if (micros >= windowFrom && micros < windowTo) {
        expected += fanoutOf.get(client.id) ?? 0
        crossExpected += crossFanoutOf.get(client.id) ?? 0
        inWindow++
      }
    }
    const schedule = runSchedule(rate, job.warmupMs + job.measureMs, sendOne)
    await sleep(job.warmupMs)
    const started = event('measure-start', stepIndex)
    const cpuBefore = process.cpuUsage()
    await sleep(job.measureMs)
    const cpu = process.cpuUsage(cpuBefore)
    await started
    await event('measure-end', stepIndex)
    const { lag } = await schedule
    const drainUntil = performance.now() + job.drainMs
    while (delivered < expected && performance.now() < drainUntil) await sleep(20)
    const summary = latency.summarize(Math.max(0, expected - delivered))
    steps.push({
      rate,
      sentPerSec: (inWindow * 1000) / job.measureMs,
      latencyMs: summary,
      ...(spread
        ? { crossLatencyMs: crossLatency.summarize(Math.max(0, crossExpected - crossDelivered)) }
        : {}),
      expected,
      delivered,
      generatorLagP99Ms: lag.summarize().p99,
      generatorCpu: (cpu.user + cpu.system) / 1000 / job.measureMs,
    })
    if (job.returnLatencies) latencies.push(latency.values())
    failedInRow = summary.p99 < job.p99LimitMs ? 0 : failedInRow + 1
    if (failedInRow >= job.stopAfterFailedSteps) break
    await sleep(300)
  }
  await closeAll(clients)
  return {
    kind: 'fanout',
    clients: clients.length,
    connectMs,
    steps,
    ...(job.returnLatencies ? { latencies } : {}),
  }
}
