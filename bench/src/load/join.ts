/** S5 cold load: joiners open a stored canvas at the same moment; connect-to-synced per joiner. */
import { Samples } from '../lib/stats.ts'
import { closeAll, connectAll, type Planned } from './connect.ts'
import type { JoinJob, JoinResult } from './jobs.ts'

export const runJoin = async (job: JoinJob): Promise<JoinResult> => {
  const synced = new Samples()
  const errors: string[] = []
  const marker = Buffer.from(job.endMarker, 'latin1')
  let incomplete = 0
  let step2Bytes = 0
  let nextId = 1
  for (const target of job.rounds) {
    const plan: Planned[] = Array.from({ length: job.joiners }, () => ({
      target,
      id: nextId++,
      options: { sender: false, expectMarker: marker },
    }))
    const opened = await connectAll(plan, job.joiners, job.connectTimeoutMs)
    errors.push(...opened.errors)
    for (const c of opened.clients) {
      if (c.step2HadMarker) synced.add(c.syncedAt)
      else incomplete++
      step2Bytes = Math.max(step2Bytes, c.step2Bytes)
    }
    await closeAll(opened.clients)
  }
  return {
    kind: 'join',
    syncedMs: synced.summarize(errors.length + incomplete),
    incomplete,
    step2Bytes,
    firstErrors: errors.slice(0, 3),
  }
}
