/** S9 churn soak: cycles of open, edit, close over a pool of canvases, for a fixed time. */
import { Samples } from '../lib/stats.ts'
import { sleep } from '../lib/time.ts'
import { closeAll, connectAll, type Planned } from './connect.ts'
import { event } from './ipc.ts'
import type { ChurnJob, ChurnResult } from './jobs.ts'

const CONCURRENCY = 50

export const runChurn = async (job: ChurnJob): Promise<ChurnResult> => {
  const synced = new Samples()
  const errors: string[] = []
  let nextId = 1
  let nextCanvas = 0
  let cycles = 0
  let sessions = 0
  const padding = 'x'.repeat(200)
  await event('start')
  const deadline = performance.now() + job.durationMs
  while (performance.now() < deadline) {
    const plan: Planned[] = Array.from({ length: job.clientsPerCycle }, () => ({
      target: job.canvases[nextCanvas++ % job.canvases.length]!,
      id: nextId++,
      options: { sender: true },
    }))
    const opened = await connectAll(plan, CONCURRENCY, job.connectTimeoutMs)
    errors.push(...opened.errors)
    for (const c of opened.clients) synced.add(c.syncedAt)
    for (let e = 0; e < job.editsPerClient; e++) {
      for (const c of opened.clients) c.sendStamped(padding)
      await sleep(10)
    }
    await closeAll(opened.clients)
    sessions += opened.clients.length
    cycles++
  }
  await event('end')
  return {
    kind: 'churn',
    cycles,
    sessions,
    failed: errors.length,
    firstErrors: errors.slice(0, 3),
    syncedMs: synced.summarize(errors.length),
  }
}
