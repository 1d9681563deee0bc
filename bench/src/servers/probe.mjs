/**
 * Preloaded (`--import`) into every server under test, ours and the peers alike. Answers the bench
 * orchestrator over the Node IPC channel: event-loop delay histogram, memory, forced GC (the server
 * runs with --expose-gc), and an on-demand CPU profile through the inspector.
 * It does nothing when the process has no IPC channel.
 */
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { monitorEventLoopDelay } from 'node:perf_hooks'

const RESOLUTION_MS = 5
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
histogram.enable()
let session = null

const ms = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS)

const post = (session_, method, params) =>
  new Promise((resolve, reject) => {
    session_.post(method, params, (err, result) => (err ? reject(err) : resolve(result)))
  })

const handlers = {
  'eld-reset': () => {
    histogram.reset()
    return {}
  },
  'eld-read': () => ({
    p50: ms(histogram.percentile(50)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
    samples: histogram.count,
  }),
  mem: () => process.memoryUsage(),
  gc: () => {
    if (typeof globalThis.gc !== 'function') throw new Error('server was not started with --expose-gc')
    globalThis.gc()
    globalThis.gc()
    return process.memoryUsage()
  },
  'prof-start': async () => {
    if (session) throw new Error('a CPU profile is already running')
    session = new Session()
    session.connect()
    await post(session, 'Profiler.enable', {})
    await post(session, 'Profiler.setSamplingInterval', { interval: 200 })
    await post(session, 'Profiler.start', {})
    return {}
  },
  'prof-stop': async (msg) => {
    if (!session) throw new Error('no CPU profile is running')
    const { profile } = await post(session, 'Profiler.stop', {})
    session.disconnect()
    session = null
    writeFileSync(msg.file, JSON.stringify(profile))
    return { file: msg.file }
  },
}

if (typeof process.send === 'function') {
  process.on('message', async (msg) => {
    if (msg?.probe !== true) return
    const handler = handlers[msg.op]
    try {
      if (!handler) throw new Error(`unknown probe op ${msg.op}`)
      const result = await handler(msg)
      process.send({ probe: true, id: msg.id, ok: true, result })
    } catch (err) {
      process.send({ probe: true, id: msg.id, ok: false, error: String(err?.stack ?? err) })
    }
  })
  process.channel?.unref()
}
