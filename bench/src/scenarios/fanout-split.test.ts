import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { Target } from '../clients/raw-client.ts'
import { summarize } from '../lib/stats.ts'
import {
  clientsOnCanvas,
  type FanoutJob,
  type FanoutResult,
  type StepResult,
  totalClients,
} from '../load/jobs.ts'
import { EventBarrier, mergeFanoutResults, splitFanoutJob } from './fanout-split.ts'

const targets = (n: number): Target[] =>
  Array.from({ length: n }, (_, i) => ({
    flavor: 'yws',
    url: `ws://127.0.0.1:1/c${i}`,
    docName: `c${i}`,
    token: '',
  }))

const fanoutJob = (canvases: number, overrides: Partial<FanoutJob> = {}): FanoutJob => ({
  kind: 'fanout',
  canvases: targets(canvases),
  clientsPerCanvas: 4,
  rates: [1000],
  warmupMs: 100,
  measureMs: 200,
  drainMs: 300,
  paddingChars: 16,
  stopAfterFailedSteps: 2,
  p99LimitMs: 10,
  ...overrides,
})

/** Clients of a job's (or part's) canvases, counted as the load worker counts them (load/fanout.ts). */
const clientsOf = (job: FanoutJob): number[] =>
  job.canvases.map((_, i) => clientsOnCanvas(job.clientsPerCanvas, (job.firstCanvasIndex ?? 0) + i))

const sumOf = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0)

/** Canvas → the client ids a job opens on it, assigned as the load worker does (load/fanout.ts). */
const clientIds = (job: FanoutJob): Map<string, number[]> => {
  const ids = new Map<string, number[]>()
  let next = job.firstClientId ?? 1
  job.canvases.forEach((target, i) => {
    const n = clientsOnCanvas(job.clientsPerCanvas, (job.firstCanvasIndex ?? 0) + i)
    ids.set(
      target.docName,
      Array.from({ length: n }, () => next++),
    )
  })
  return ids
}

const unionOfIds = (parts: readonly FanoutJob[]): Map<string, number[]> => {
  const all = new Map<string, number[]>()
  for (const part of parts) {
    for (const [canvas, ids] of clientIds(part)) {
      assert.not.ok(all.has(canvas), `canvas ${canvas} in one part only`)
      all.set(canvas, ids)
    }
  }
  return all
}

// ---------------------------------------------------------------------------------------------- splitFanoutJob

test('split: whole canvases in order, equal clients, rates pro rata, ids and canvas index continued', () => {
  const job = fanoutJob(10)
  const parts = splitFanoutJob(job, 2)
  assert.is(parts.length, 2)
  const [a, b] = parts
  assert.equal(a?.canvases, job.canvases.slice(0, 5))
  assert.equal(b?.canvases, job.canvases.slice(5))
  assert.equal(
    parts.map((p) => [p.rates, p.firstCanvasIndex, p.firstClientId, p.returnLatencies]),
    [
      [[500], 0, 1, true],
      [[500], 5, 21, true],
    ],
  )
  for (const part of parts) {
    assert.is(part.kind, 'fanout')
    assert.is(part.clientsPerCanvas, 4)
    assert.equal(
      [
        part.warmupMs,
        part.measureMs,
        part.drainMs,
        part.paddingChars,
        part.stopAfterFailedSteps,
        part.p99LimitMs,
      ],
      [100, 200, 300, 16, 2, 10],
    )
  }
})

test('split: the same clients on the same canvases with the same ids as the whole job (S4: 3-5 per canvas)', () => {
  const job = fanoutJob(1000, { clientsPerCanvas: [3, 5], rates: [4000] })
  const total = totalClients([3, 5], 1000)
  assert.is(total, 3999)
  for (const n of [2, 3, 7]) {
    const parts = splitFanoutJob(job, n)
    assert.is(parts.length, n)
    assert.equal(unionOfIds(parts), clientIds(job), `${n} parts`)
    const clients = parts.map((p) => sumOf(clientsOf(p)))
    assert.is(sumOf(clients), total)
    for (const [i, c] of clients.entries()) {
      // A cut falls between whole canvases of at most 5 clients: within half a canvas of the equal share.
      assert.ok(Math.abs(c - total / n) <= 2.5, `${n} parts: part ${i} has ${c} clients of ${total}`)
      const rate = parts[i]?.rates[0] ?? Number.NaN
      assert.ok(Math.abs(rate - (4000 * c) / total) < 1e-9, `part ${i}: rate ${rate} pro rata`)
    }
    assert.ok(
      Math.abs(sumOf(parts.map((p) => p.rates[0] ?? 0)) - 4000) < 1e-9,
      'rates add up to the job rate',
    )
  }
})

test('split: uneven canvases are cut where the clients so far come nearest the share', () => {
  // 1, 2, ..., 10 clients: 55 in all, 27.5 each; the first 7 canvases hold 28, the first 6 hold 21.
  const parts = splitFanoutJob(fanoutJob(10, { clientsPerCanvas: [1, 10], rates: [550] }), 2)
  assert.equal(
    parts.map((p) => [
      p.canvases.length,
      sumOf(clientsOf(p)),
      p.rates[0],
      p.firstCanvasIndex,
      p.firstClientId,
    ]),
    [
      [7, 28, 280, 0, 1],
      [3, 27, 270, 7, 29],
    ],
  )
})

test('split: a job that is itself a part (canvas offset, first client id) splits on from there', () => {
  const job = fanoutJob(9, { clientsPerCanvas: [3, 5], firstCanvasIndex: 4, firstClientId: 100 })
  // Canvas indexes 4..12 hold 4, 5, 3, 4, 5, 3, 4, 5, 3 clients: 36, 18 a part. The first four canvases hold 16,
  // the first five 21: the cut falls after four.
  assert.equal(clientsOf(job), [4, 5, 3, 4, 5, 3, 4, 5, 3])
  const parts = splitFanoutJob(job, 2)
  assert.equal(
    parts.map((p) => [p.firstCanvasIndex, p.firstClientId]),
    [
      [4, 100],
      [8, 116],
    ],
  )
  assert.equal(unionOfIds(parts), clientIds(job))
  assert.equal(clientIds(job).get('c0'), [100, 101, 102, 103])
})

test('split: every part keeps at least one canvas, however unequal the clients', () => {
  const parts = splitFanoutJob(fanoutJob(3, { clientsPerCanvas: [1, 30] }), 3)
  assert.equal(
    parts.map((p) => p.canvases.map((c) => c.docName)),
    [['c0'], ['c1'], ['c2']],
  )
  assert.equal(
    parts.map((p) => sumOf(clientsOf(p))),
    [1, 2, 3],
  )
  const one = splitFanoutJob(fanoutJob(4), 1)
  assert.is(one.length, 1)
  assert.equal(one[0], { ...fanoutJob(4), firstCanvasIndex: 0, firstClientId: 1, returnLatencies: true })
})

test('split refuses what it cannot split', () => {
  assert.throws(() => splitFanoutJob(fanoutJob(4), 0), RangeError)
  assert.throws(() => splitFanoutJob(fanoutJob(4), 1.5), RangeError)
  assert.throws(() => splitFanoutJob(fanoutJob(4, { rates: [1000, 2000] }), 2), /single-step.*2 steps/)
  assert.throws(() => splitFanoutJob(fanoutJob(4, { rates: [] }), 2), /single-step.*0 steps/)
  assert.throws(
    () => splitFanoutJob(fanoutJob(2, { spreadOver: [targets(2), targets(2)] }), 2),
    /spread over server instances/,
  )
  assert.throws(() => splitFanoutJob(fanoutJob(2), 3), /2 canvases cannot make 3 parts/)
})

// ---------------------------------------------------------------------------------------------- mergeFanoutResults

const step = (latencies: readonly number[], overrides: Partial<StepResult> = {}): StepResult => ({
  rate: 500,
  sentPerSec: 490,
  latencyMs: summarize(latencies),
  expected: latencies.length,
  delivered: latencies.length,
  generatorLagP99Ms: 1,
  generatorCpu: 0.2,
  ...overrides,
})

const part = (
  latencies: readonly number[][],
  steps: readonly StepResult[],
  overrides: Partial<FanoutResult> = {},
) =>
  ({
    kind: 'fanout',
    clients: 10,
    connectMs: 50,
    steps,
    latencies: latencies.map((l) => Float64Array.from(l)),
    ...overrides,
  }) satisfies FanoutResult

const oneTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1)

test('merge: percentiles of the merged raw latencies, not of the parts', () => {
  const a = oneTo(100) // its own p99: 99
  const b = new Array<number>(100).fill(5) // its own p99: 5
  const merged = mergeFanoutResults(fanoutJob(4), [part([a], [step(a)]), part([b], [step(b)])])
  assert.is(merged.steps.length, 1)
  const latency = merged.steps[0]?.latencyMs
  // Merged and sorted: 1-4, 101 fives, 6-100. The 198th of 200 is 98, neither part's p99 nor their max or mean.
  assert.equal(latency, { count: 200, missing: 0, p50: 5, p90: 80, p99: 98, max: 100, mean: 27.75 })
  assert.equal(latency, summarize([...a, ...b]))
})

test("merge: one part's lost deliveries count in the merged percentiles", () => {
  const a = oneTo(100)
  const b = oneTo(100)
  const lostOne = mergeFanoutResults(fanoutJob(4), [
    part([a], [step(a, { expected: 101 })]),
    part([b], [step(b)]),
  ])
  assert.is(lostOne.steps[0]?.latencyMs.missing, 1)
  assert.is(lostOne.steps[0]?.latencyMs.p99, 100, '1 lost of 201: the p99 is still a delivered one')
  assert.is(lostOne.steps[0]?.latencyMs.max, Number.POSITIVE_INFINITY)
  const lostTen = mergeFanoutResults(fanoutJob(4), [
    part([a], [step(a, { expected: 110 })]),
    part([b], [step(b)]),
  ])
  assert.is(lostTen.steps[0]?.latencyMs.missing, 10)
  assert.is(lostTen.steps[0]?.latencyMs.p99, Number.POSITIVE_INFINITY, '10 lost of 210')
})

test("merge: counts and rates summed, the slowest part's lag and connect time, the whole job's rate", () => {
  const job = fanoutJob(4, { rates: [1000] })
  const merged = mergeFanoutResults(job, [
    part(
      [[1, 2]],
      [
        step([1, 2], {
          sentPerSec: 480,
          expected: 3,
          delivered: 2,
          generatorLagP99Ms: 4,
          generatorCpu: 0.25,
        }),
      ],
      { clients: 7, connectMs: 80 },
    ),
    part(
      [[3]],
      [step([3], { sentPerSec: 510, expected: 5, delivered: 1, generatorLagP99Ms: 2, generatorCpu: 0.5 })],
      { clients: 9, connectMs: 60 },
    ),
  ])
  assert.equal(
    { ...merged, steps: merged.steps.map((s) => ({ ...s, latencyMs: null })) },
    {
      kind: 'fanout',
      clients: 16,
      connectMs: 80,
      steps: [
        {
          rate: 1000,
          sentPerSec: 990,
          latencyMs: null,
          expected: 8,
          delivered: 3,
          generatorLagP99Ms: 4,
          generatorCpu: 0.75,
        },
      ],
    },
  )
  assert.is(merged.steps[0]?.latencyMs.missing, 5)
  assert.is(merged.latencies, undefined)
})

test('merge: as many steps as the shortest part; a part without latencies is an error', () => {
  const job = fanoutJob(4, { rates: [1000] })
  const merged = mergeFanoutResults(job, [part([[1], [2]], [step([1]), step([2])]), part([[3]], [step([3])])])
  assert.is(merged.steps.length, 1)
  assert.throws(
    () => mergeFanoutResults(job, [part([[1]], [step([1])]), part([], [step([2])])]),
    /a part returned no latencies for step 0/,
  )
})

// ---------------------------------------------------------------------------------------------- EventBarrier

/** A part sending an event: the promise it waits on (always a promise, though the handler type allows void). */
const arrive = (barrier: EventBarrier, name: string, stepIndex: number | undefined): Promise<void> => {
  const released = barrier.onEvent(name, stepIndex)
  if (!(released instanceof Promise)) throw new Error('onEvent returned no promise')
  return released
}

/** Whether `p` has settled once the pending microtasks have run (no timers). */
const settled = async (p: Promise<unknown>): Promise<boolean> => {
  let done = false
  p.then(
    () => {
      done = true
    },
    () => {
      done = true
    },
  )
  for (let i = 0; i < 20; i++) await Promise.resolve()
  return done
}

test('barrier: an event passes once every part sent it, and runs the handler once', async () => {
  const calls: [string, number | undefined][] = []
  const barrier = new EventBarrier(3, (name, stepIndex) => {
    calls.push([name, stepIndex])
  })
  const first = arrive(barrier, 'connected', undefined)
  const second = arrive(barrier, 'connected', undefined)
  assert.not.ok(await settled(first))
  assert.not.ok(await settled(second))
  assert.equal(calls, [])
  const third = arrive(barrier, 'connected', undefined)
  await Promise.all([first, second, third])
  assert.equal(calls, [['connected', undefined]])
})

test('barrier: events are told apart by name and step, and the same event can pass again', async () => {
  const calls: [string, number | undefined][] = []
  const barrier = new EventBarrier(2, (name, stepIndex) => {
    calls.push([name, stepIndex])
  })
  const a0 = arrive(barrier, 'step', 0)
  const b1 = arrive(barrier, 'step', 1)
  const bStart = arrive(barrier, 'start', undefined)
  assert.not.ok(await settled(a0))
  assert.not.ok(await settled(b1))
  assert.equal(calls, [])
  await Promise.all([a0, arrive(barrier, 'step', 0)])
  assert.equal(calls, [['step', 0]])
  await Promise.all([b1, arrive(barrier, 'step', 1)])
  assert.equal(calls, [
    ['step', 0],
    ['step', 1],
  ])
  assert.not.ok(await settled(bStart))
  // 'step' 0 again: a new round, not a third arrival of the first.
  const again = arrive(barrier, 'step', 0)
  assert.not.ok(await settled(again))
  await Promise.all([again, arrive(barrier, 'step', 0), bStart, arrive(barrier, 'start', undefined)])
  assert.equal(calls, [
    ['step', 0],
    ['step', 1],
    ['step', 0],
    ['start', undefined],
  ])
})

test('barrier: the parts go on only when the handler is done', async () => {
  let finish: () => void = () => undefined
  const handlerDone = new Promise<void>((resolve) => {
    finish = resolve
  })
  let started = 0
  const barrier = new EventBarrier(2, () => {
    started++
    return handlerDone
  })
  const a = arrive(barrier, 'window', 3)
  const b = arrive(barrier, 'window', 3)
  assert.not.ok(await settled(a))
  assert.not.ok(await settled(b))
  assert.is(started, 1)
  finish()
  await Promise.all([a, b])
  assert.is(started, 1)
})

test("barrier: a handler's error reaches every part", async () => {
  const boom = new Error('metrics probe failed')
  const throwing = new EventBarrier(2, () => {
    throw boom
  })
  const outcomes = await Promise.allSettled([arrive(throwing, 'x', 1), arrive(throwing, 'x', 1)])
  assert.equal(
    outcomes.map((o) => (o.status === 'rejected' ? o.reason : 'passed')),
    [boom, boom],
  )
  const rejecting = new EventBarrier(3, () => Promise.reject(boom))
  const all = await Promise.allSettled([
    arrive(rejecting, 'y', undefined),
    arrive(rejecting, 'y', undefined),
    arrive(rejecting, 'y', undefined),
  ])
  assert.equal(
    all.map((o) => o.status),
    ['rejected', 'rejected', 'rejected'],
  )
  for (const o of all) assert.is(o.status === 'rejected' ? o.reason : undefined, boom)
})

test('barrier of one part passes every event straight to the handler', async () => {
  const calls: string[] = []
  const barrier = new EventBarrier(1, (name) => {
    calls.push(name)
  })
  await arrive(barrier, 'a', undefined)
  await arrive(barrier, 'b', 2)
  assert.equal(calls, ['a', 'b'])
})

test.run()
