/** S5 cold load: joiners open a stored canvas at the same moment; connect-to-synced per joiner. */
import { Samples } from '../lib/stats.ts'
import { closeAll, connectAll, type Planned } from './connect.ts'
import type { JoinGroup, JoinGroupResult, JoinJob, JoinResult } from './jobs.ts'

let nextId = 1

const runGroup = async (group: JoinGroup, timeoutMs: number): Promise<JoinGroupResult> => {
  const synced = new Samples()
  const errors: string[] = []
  const marker = Buffer.from(group.endMarker, 'latin1')
  let incomplete = 0
  let step2Bytes = 0
  for (const target of group.rounds) {
    const plan: Planned[] = Array.from({ length: group.joiners }, () => ({
      target,
      id: nextId++,
      options: { sender: false, expectMarker: marker },
    }))
    const opened = await connectAll(plan, group.joiners, timeoutMs)
    errors.push(...opened.errors)
    for (const c of opened.clients) {
      if (c.step2HadMarker) synced.add(c.syncedAt)
      else incomplete++
      step2Bytes = Math.max(step2Bytes, c.step2Bytes)
    }
    await closeAll(opened.clients)
  }
  return {
    key: group.key,
    syncedMs: synced.summarize(errors.length + incomplete),
    incomplete,
    step2Bytes,
    firstErrors: errors.slice(0, 3),
  }
}

export const runJoin = async (job: JoinJob): Promise<JoinResult> => {
  const groups: JoinGroupResult[] = []
  for (const group of job.groups) groups.push(await runGroup(group, job.connectTimeoutMs))
  return { kind: 'join', groups }
}
