/**
 * Load-generator process: runs one job from the orchestrator (over the IPC channel) and replies
 * with its result. It runs pinned to the load core, apart from the server under test.
 */
import { checkAgainstYjs } from '../protocol/map-update.ts'
import { runChurn } from './churn.ts'
import { runFanout } from './fanout.ts'
import { onJob, reply, replyError } from './ipc.ts'
import type { Job, JobResult } from './jobs.ts'
import { runJoin } from './join.ts'
import { runPopulate } from './populate.ts'
import { runStorm } from './storm.ts'

const run = (job: Job): Promise<JobResult> => {
  switch (job.kind) {
    case 'fanout':
      return runFanout(job)
    case 'storm':
      return runStorm(job)
    case 'join':
      return runJoin(job)
    case 'churn':
      return runChurn(job)
    case 'populate':
      return runPopulate(job)
  }
}

// The hand-made updates must equal what Yjs produces; refuse to generate load otherwise.
checkAgainstYjs()

onJob((job) => {
  run(job)
    .then(
      (result) => reply(result),
      (err: unknown) => replyError(err instanceof Error ? (err.stack ?? err.message) : String(err)),
    )
    .finally(() => process.disconnect())
})
