/**
 * Every process the bench starts (servers, load workers) is registered here and killed when the
 * orchestrator exits for any reason, so no server outlives a crashed or interrupted run.
 */
import type { ChildProcess } from 'node:child_process'

const children = new Set<ChildProcess>()

const killAll = (): void => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}

process.on('exit', killAll)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll()
    process.exit(130)
  })
}

export const track = (child: ChildProcess): void => {
  children.add(child)
  child.once('exit', () => children.delete(child))
}
