import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'

/** Another process (or another opener in this one) holds the directory. */
export class DirectoryInUseError extends Error {
  override readonly name = 'DirectoryInUseError'
}

/** A held lock; `release` is idempotent. */
export interface DirectoryLock {
  readonly path: string
  release(): void
}

/** Lock files this process holds: a second opener in the same process is refused too. */
const held = new Set<string>()
let exitHookInstalled = false

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function holderOf(path: string): number | null {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  const pid = Number.parseInt(text, 10)
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null
}

function releaseAll(): void {
  for (const path of held) if (holderOf(path) === process.pid) rmSync(path, { force: true })
  held.clear()
}

/**
 * Takes `<dir>.lock` (beside the directory, so nothing inside it changes) for this process, the way PostgreSQL's
 * postmaster.pid guards a data directory: PGlite takes no such lock, and two processes writing one data directory
 * (a second server, a script run against a running server) corrupt it. The file holds the owner's pid; a lock
 * whose process is gone (killed, crashed) is taken over, as is one naming this process's own pid that this process
 * does not hold (a previous life of a container, where pids repeat).
 *
 * Not a mutex for a race of two openers in the same millisecond: both may see the same stale lock and take it
 * over. It catches the mistakes people make, with a message saying what to do.
 */
export function lockDirectory(dir: string, what: string): DirectoryLock {
  const path = `${dir}.lock`
  if (held.has(path)) throw new DirectoryInUseError(`${what} ${dir} is already open in this process`)
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number
    try {
      fd = openSync(path, 'wx')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const holder = holderOf(path)
      if (holder !== null && holder !== process.pid && isAlive(holder)) {
        throw new DirectoryInUseError(
          `${what} ${dir} is in use by process ${holder}: stop it first (or, if no server or script of ours ` +
            `runs as ${holder}, delete ${path})`,
        )
      }
      // Stale: the holder is gone, or the file names no process.
      rmSync(path, { force: true })
      continue
    }
    try {
      writeSync(fd, `${process.pid}\n`)
    } finally {
      closeSync(fd)
    }
    held.add(path)
    if (!exitHookInstalled) {
      exitHookInstalled = true
      process.once('exit', releaseAll)
    }
    return {
      path,
      release() {
        if (!held.delete(path)) return
        if (holderOf(path) === process.pid) rmSync(path, { force: true })
      },
    }
  }
  throw new DirectoryInUseError(`${what} ${dir}: could not take ${path} (another process keeps taking it)`)
}
