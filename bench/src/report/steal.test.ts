import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { RunOutcome, ScenarioResult } from '../run/results.ts'
import { stealSentence } from './steal.ts'

const scenario = (rows: { server: string; runs: RunOutcome[] }[]): ScenarioResult => ({
  id: 'S3',
  title: 'Hot canvas',
  description: '',
  variants: [{ key: 'c5', label: '5 clients' }],
  metrics: [{ key: 'p99', label: 'fan-out p99', unit: 'ms', better: 'lower' }],
  headline: ['p99'],
  rows: rows.map((r) => ({ ...r, summary: {} })),
})

test('lists each run of each server, server core then load core', () => {
  const sentence = stealSentence(
    scenario([
      {
        server: 'jabiru',
        runs: [
          { run: 1, seconds: 50, stealPercent: [0.4, 1.25] },
          { run: 2, seconds: 50, stealPercent: [12, 0] },
        ],
      },
      { server: 'reference', runs: [{ run: 1, seconds: 40, stealPercent: [0, 0.1, 7] }] },
    ]),
  )
  assert.ok(sentence?.endsWith(': jabiru 0.4 / 1.3, 12.0 / 0.0; reference 0.0 / 0.1.'), sentence ?? 'null')
})

test('runs without a record are left out, and a scenario with none has no sentence', () => {
  const older: RunOutcome = { run: 1, seconds: 50 }
  assert.is(stealSentence(scenario([{ server: 'jabiru', runs: [older] }])), null)
  const mixed = stealSentence(
    scenario([{ server: 'jabiru', runs: [older, { run: 2, seconds: 50, stealPercent: [3, 4] }] }]),
  )
  assert.ok(mixed?.endsWith(': jabiru 3.0 / 4.0.'), mixed ?? 'null')
})

test.run()
