/** The worker's side of the orchestrator channel. */
import type { Job, JobResult, OrchestratorMessage, WorkerMessage } from './jobs.ts'

/** The IPC channel's send; the worker is useless without one. */
const channel = (): NonNullable<typeof process.send> => {
  if (typeof process.send !== 'function')
    throw new Error('the load worker must be started with an IPC channel')
  return process.send.bind(process)
}

const send = (msg: WorkerMessage): void => {
  channel()(msg)
}

const pending = new Map<number, () => void>()
let nextId = 1
let jobListener: ((job: Job) => void) | null = null

process.on('message', (raw: unknown) => {
  const msg = raw as OrchestratorMessage
  if (msg.type === 'ack') {
    pending.get(msg.id)?.()
    pending.delete(msg.id)
  } else if (msg.type === 'job') {
    if (!jobListener) throw new Error('a job arrived before the worker was ready')
    jobListener(msg.job)
  }
})

/** Tells the orchestrator `name` happened and waits until it has sampled what it needs. */
export const event = (name: string, step?: number): Promise<void> =>
  new Promise((resolve) => {
    const id = nextId++
    pending.set(id, resolve)
    send(step === undefined ? { type: 'event', id, name } : { type: 'event', id, name, step })
  })

/** Registers the job runner and tells the orchestrator this worker is ready for its job. */
export const onJob = (listener: (job: Job) => void): void => {
  jobListener = listener
  send({ type: 'ready' })
}

/** Resolves once the message is handed to the channel, so disconnecting after it cannot lose it. */
const sendLast = (msg: WorkerMessage): Promise<void> =>
  new Promise((resolve, reject) => {
    channel()(msg, undefined, {}, (error: Error | null) => (error ? reject(error) : resolve()))
  })

export const reply = (result: JobResult): Promise<void> => sendLast({ type: 'result', result })

export const replyError = (message: string): Promise<void> => sendLast({ type: 'error', message })
