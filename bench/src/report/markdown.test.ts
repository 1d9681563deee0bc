import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { MachineInfo } from '../run/results.ts'
import { benchResults, TEST_MACHINE } from '../run/results-fixture.ts'
import { renderResults } from './markdown.ts'

const MACHINE: MachineInfo = { ...TEST_MACHINE, serverNodeFlags: ['--no-concurrent-marking'] }

test("the machine line names the experiment's extra Node flags when a run had them", () => {
  const text = renderResults(
    benchResults([], { ...MACHINE, extraNodeFlags: ['--trace-gc', '--liftoff-only'] }),
  )
  assert.match(text, "Node flags of Jabiru's `npm start`: --no-concurrent-marking.")
  assert.match(
    text,
    'Experiment flags added to every server (BENCH_EXTRA_NODE_FLAGS): --trace-gc --liftoff-only.',
  )
})

test('the machine line says nothing of experiment flags when a run had none', () => {
  const text = renderResults(benchResults([], MACHINE))
  assert.not.match(text, 'Experiment flags')
})

test.run()
