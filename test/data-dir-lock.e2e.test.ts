import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startServerProcess, tempDataDir } from './support/server-process.ts'
import { waitFor } from './support/wait.ts'

const ROOT = resolve(import.meta.dirname, '..')

test('a second server on a DATA_DIR in use exits at start naming the holder; the first keeps serving', async () => {
  const data = tempDataDir()
  const first = await startServerProcess({ dataDir: data.dir })
  try {
    const second = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', DATA_DIR: data.dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    second.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    second.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    let code: number | null | undefined
    second.once('exit', (exitCode) => {
      code = exitCode
    })
    await waitFor('the second server to exit', () => (code === undefined ? undefined : true), 60_000).catch(
      (error: unknown) => {
        second.kill('SIGKILL')
        throw error
      },
    )
    assert.is(code, 1, output)
    assert.match(output, /the embedded database directory .* is in use by process \d+/)
    assert.ok((await fetch(`${first.httpUrl}/readyz`)).ok, 'the first server still serves')
    // Stopped cleanly, the first releases the directory: a new server starts on it.
    await first.stop()
    const again = await first.restart()
    await again.stop()
  } finally {
    await first.stop()
    data.remove()
  }
})

test.run()
