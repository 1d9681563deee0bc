/** Orchestrator side of a load-generator process: spawn it pinned to the load core, run one job. */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { track } from '../lib/children.ts'
import { LOAD_CORE, pinned } from '../lib/cpu-pin.ts'
import type { Job, JobResult, OrchestratorMessage, WorkerMessage } from '../load/jobs.ts'

const WORKER = fileURLToPath(new URL('../load/worker.ts', import.meta.url))
const BENCH_DIR = fileURLToPath(new URL('../..', import.meta.url))

/** Called for each worker event (e.g. 'measure-start'); the worker waits until it resolves. */
export type EventHandler = (name: string, step: number | undefined) => Promise<void> | void

/** Runs `job` in a new load process; `signal` (optional) kills the process and rejects. */
export const runJob = <R extends JobResult>(
  job: Job,
  onEvent: EventHandler,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<R> =>
  new Promise<R>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error(`${job.kind} job aborted before it started`))
      return
    }
    const [cmd, args] = pinned(LOAD_CORE, process.execPath, ['--import', 'tsx', WORKER])
    const child = spawn(cmd, args, {
      cwd: BENCH_DIR,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    })
    track(child)
    let done = false
    const finish = (err: Error | null, result?: R): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      if (child.exitCode === null) child.kill('SIGKILL')
      if (err) reject(err)
      else resolve(result as R)
    }
    const timer = setTimeout(
      () => finish(new Error(`${job.kind} job timed out after ${timeoutMs} ms`)),
      timeoutMs,
    )
    const onAbort = (): void => finish(new Error(`${job.kind} job aborted: another part of it failed`))
    signal?.addEventListener('abort', onAbort)
    const send = (msg: OrchestratorMessage): void => {
      child.send(msg)
    }
    child.on('message', (raw: unknown) => {
      const msg = raw as WorkerMessage
      if (msg.type === 'ready') {
        send({ type: 'job', job })
      } else if (msg.type === 'result') {
        if (msg.result.kind !== job.kind)
          finish(new Error(`expected a ${job.kind} result, got ${msg.result.kind}`))
        else finish(null, msg.result as R)
      } else if (msg.type === 'error') {
        finish(new Error(`load worker (${job.kind}): ${msg.message}`))
      } else {
        Promise.resolve(onEvent(msg.name, msg.step)).then(
          () => send({ type: 'ack', id: msg.id }),
          (err: unknown) => finish(err instanceof Error ? err : new Error(String(err))),
        )
      }
    })
    child.on('error', (err) => finish(err))
    // 'close', not 'exit': 'exit' can come before the parent has read the last message from the channel (a
    // result with raw latencies is hundreds of kilobytes); 'close' waits for the channel to end.
    child.on('close', (code, signal) => {
      if (!done) finish(new Error(`load worker exited (${code ?? signal}) before replying`))
    })
  })
