import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { DirectoryInUseError, lockDirectory } from './directory-lock.ts'

/** Runs `body` with a directory path in a fresh scratch folder (the lock file goes beside it), then removes both. */
function inScratch(body: (dir: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'jabiru-lock-'))
  try {
    body(join(root, 'data'))
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

/** The pid of a process that has exited (a pid nobody uses now). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
  return Number(child.stdout.toString())
}

test('the lock file names this process; a second opener is refused until release', () =>
  inScratch((dir) => {
    const lock = lockDirectory(dir, 'the test directory')
    assert.is(readFileSync(lock.path, 'utf8').trim(), String(process.pid))
    assert.throws(() => lockDirectory(dir, 'the test directory'), /already open in this process/)
    lock.release()
    assert.not.ok(existsSync(lock.path), 'released: the file is gone')
    lockDirectory(dir, 'the test directory').release()
  }))

test('a lock held by a live process is refused with its pid and what to do', () =>
  inScratch((dir) => {
    // The parent of this test process is alive for as long as the test runs.
    writeFileSync(`${dir}.lock`, `${process.ppid}\n`)
    try {
      lockDirectory(dir, 'the test directory')
      assert.unreachable('the lock was taken')
    } catch (error) {
      assert.instance(error, DirectoryInUseError)
      assert.match((error as Error).message, `in use by process ${process.ppid}`)
      assert.match((error as Error).message, `delete ${dir}.lock`)
    }
    assert.is(readFileSync(`${dir}.lock`, 'utf8').trim(), String(process.ppid), 'the holder keeps its lock')
  }))

test('a stale lock (its process gone, or a file naming no process) is taken over', () =>
  inScratch((dir) => {
    for (const content of [`${deadPid()}\n`, '', 'garbage']) {
      writeFileSync(`${dir}.lock`, content)
      const lock = lockDirectory(dir, 'the test directory')
      assert.is(
        readFileSync(lock.path, 'utf8').trim(),
        String(process.pid),
        `took over ${JSON.stringify(content)}`,
      )
      lock.release()
    }
  }))

test('a lock naming this pid that this process does not hold (a previous life of a container) is taken over', () =>
  inScratch((dir) => {
    writeFileSync(`${dir}.lock`, `${process.pid}\n`)
    const lock = lockDirectory(dir, 'the test directory')
    lock.release()
    assert.not.ok(existsSync(`${dir}.lock`))
  }))

test('release leaves a lock that another process took meanwhile alone', () =>
  inScratch((dir) => {
    const lock = lockDirectory(dir, 'the test directory')
    writeFileSync(lock.path, `${process.ppid}\n`)
    lock.release()
    assert.is(readFileSync(`${dir}.lock`, 'utf8').trim(), String(process.ppid))
  }))

test.run()
