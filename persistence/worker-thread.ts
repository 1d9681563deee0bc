import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { Worker } from 'node:worker_threads'

/**
 * A worker thread running a TypeScript module through tsx's `tsImport`. (`execArgv: ['--import', 'tsx']` races on
 * Node 20: the worker's entry module can load before tsx's loader hooks are registered in the thread.)
 */
export function typeScriptWorker(entry: URL, workerData: unknown): Worker {
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ tsImport }) =>
  tsImport(${JSON.stringify(entry.href)}, ${JSON.stringify(import.meta.url)}))`
  return new Worker(bootstrap, { eval: true, workerData })
}

/**
 * Background work yields the CPU to the event loop: on Linux the calling thread gets the lowest priority, so on a
 * shared core it takes only the cycles the loop leaves idle. Returns why it could not, for the caller to report.
 */
export function lowerThisThreadPriority(): string | null {
  if (process.platform !== 'linux') return null
  try {
    // "<pid>/task/<tid>": setpriority(2) with a thread id changes that thread alone.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1))
    setPriority(tid, LOWEST_NICENESS)
    return null
  } catch (error) {
    return `could not lower the thread's priority: ${String(error)}`
  }
}

const LOWEST_NICENESS = 19
