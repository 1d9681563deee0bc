import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { tempDataDir } from '../test/support/server-process.ts'

const run = promisify(execFile)
const ROOT = resolve(import.meta.dirname, '..')

function migrate(env: Record<string, string>, ...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  })
}

test('npm run migrate applies pending migrations once, and --status lists them', async () => {
  const data = tempDataDir()
  try {
    const env = { DATA_DIR: data.dir }
    assert.match((await migrate(env, '--status')).stdout, /pending\s+0001_core/)
    const first = await migrate(env)
    assert.match(first.stdout, /applied\s+0001_core/)
    assert.match((await migrate(env)).stdout, 'database is up to date')
    assert.not.match((await migrate(env, '--status')).stdout, 'pending')
  } finally {
    data.remove()
  }
})

test('a bad argument or variable is refused with a message naming it', async () => {
  const refused = await migrate({ DATABASE_URL: 'mysql://nope' }).then(
    () => null,
    (error: { code: number; stderr: string }) => error,
  )
  assert.is(refused?.code, 2)
  assert.match(refused?.stderr ?? '', 'DATABASE_URL')
})

test.run()
