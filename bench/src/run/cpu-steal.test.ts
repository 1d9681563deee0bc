import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseProcStat, stealPercent } from './cpu-steal.ts'

const STAT_BEFORE = [
  'cpu  43927 2086 13677 183665 829 0 4867 3006 0 0',
  'cpu0 23678 2086 6888 89737 62 0 3165 1128 0 0',
  'cpu1 20248 0 6788 93928 767 0 1701 1878 0 0',
  'intr 123 4 5',
  'ctxt 99',
].join('\n')

test('reads each core line of /proc/stat, not the all-cores line or the counters', () => {
  const cores = parseProcStat(STAT_BEFORE)
  assert.equal(
    cores.map((c) => c.core),
    [0, 1],
  )
  assert.equal(cores[0]?.steal, 1128)
  // user + nice + system + idle + iowait + irq + softirq + steal; guest columns are inside user already.
  assert.equal(cores[0]?.total, 23678 + 2086 + 6888 + 89737 + 62 + 0 + 3165 + 1128)
})

test('steal is the share of the ticks between two readings that the host took', () => {
  const before = parseProcStat(STAT_BEFORE)
  const after = parseProcStat(
    [
      // core 0: 1000 ticks more, 50 of them stolen; core 1: 400 more, none stolen.
      'cpu0 24128 2086 6888 90237 62 0 3165 1178 0 0',
      'cpu1 20448 0 6788 94128 767 0 1701 1878 0 0',
    ].join('\n'),
  )
  assert.equal(stealPercent(before, after), [5, 0])
})

test('a core missing from the first reading, or no time passed, reads as no steal', () => {
  const before = parseProcStat('cpu0 10 0 0 10 0 0 0 5 0 0')
  const after = parseProcStat(['cpu0 10 0 0 10 0 0 0 5 0 0', 'cpu1 10 0 0 10 0 0 0 5 0 0'].join('\n'))
  assert.equal(stealPercent(before, after), [0, 0])
})

test.run()
