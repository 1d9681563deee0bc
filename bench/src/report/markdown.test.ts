import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { BenchResults, MachineInfo } from '../run/results.ts'
import { renderResults } from './markdown.ts'

const MACHINE: MachineInfo = {
  cpuModel: 'test',
  cores: 2,
  memoryGiB: 4,
  node: 'v20',
  os: 'linux',
  pinned: true,
  nice: 0,
  loadAverageAtStart: [0, 0, 0],
  loadAverageAtEnd: [0, 0, 0],
  jabiruCommit: 'abc1234',
  serverNodeFlags: ['--no-concurrent-marking'],
}

const results = (machine: MachineInfo): BenchResults => ({
  generatedAt: '2026-01-01T00:00:00.000Z',
  profile: 'full',
  benchId: 'test',
  runs: 3,
  machine,
  jabiru: { available: true },
  scenarios: [],
  profiles: [],
  elapsedSeconds: 1,
})

test("the machine line names the experiment's extra Node flags when a run had them", () => {
  const text = renderResults(results({ ...MACHINE, extraNodeFlags: ['--trace-gc', '--liftoff-only'] }))
  assert.match(text, "Node flags of Jabiru's `npm start`: --no-concurrent-marking.")
  assert.match(
    text,
    'Experiment flags added to every server (BENCH_EXTRA_NODE_FLAGS): --trace-gc --liftoff-only.',
  )
})

test('the machine line says nothing of experiment flags when a run had none', () => {
  const text = renderResults(results(MACHINE))
  assert.not.match(text, 'Experiment flags')
})

test.run()
