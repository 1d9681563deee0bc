/** S1 connect storm: many connections over many canvases, as fast as `concurrency` allows. */
import { Samples } from '../lib/stats.ts'
import { closeAll, connectAll, type Planned } from './connect.ts'
import { event } from './ipc.ts'
import type { StormJob, StormResult } from './jobs.ts'

export const runStorm = async (job: StormJob): Promise<StormResult> => {
  const plan: Planned[] = Array.from({ length: job.connections }, (_, i) => ({
    target: job.canvases[i % job.canvases.length]!,
    id: i + 1,
    options: { sender: false },
  }))
  const start = performance.now()
  const { clients, errors } = await connectAll(plan, job.concurrency, job.connectTimeoutMs)
  const elapsedMs = performance.now() - start
  const synced = new Samples()
  for (const c of clients) synced.add(c.syncedAt)
  // The orchestrator measures the server's memory with every connection open and idle.
  await event('connected')
  await closeAll(clients)
  return {
    kind: 'storm',
    connected: clients.length,
    failed: errors.length,
    firstErrors: errors.slice(0, 3),
    elapsedMs,
    connectionsPerSec: (clients.length * 1000) / elapsedMs,
    syncedMs: synced.summarize(errors.length),
  }
}
