import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { RowResult } from '../run/results.ts'
import { benchResults, row, scenario } from '../run/results-fixture.ts'
import { HOCUSPOCUS, JABIRU, JABIRU_TWIN, REFERENCE, RELAY } from '../servers/catalog.ts'
import { renderTailHistory } from './markdown.ts'
import { tailHistory } from './tail-history.ts'

const C5 = { key: 'c5', label: '5 clients' }
const C50 = { key: 'c50', label: '50 clients' }

/** One S3 file at one client count: Jabiru, the reference (the only peer), and optionally the relay and the twin. */
const s3File = (
  variant: { key: string; label: string },
  p99: { jabiru: number[]; reference: number[]; relay?: number[]; twin?: number[] },
) => {
  const rows: RowResult[] = [
    row(JABIRU.name, variant.key, 'p99', p99.jabiru),
    row(REFERENCE.name, variant.key, 'p99', p99.reference),
  ]
  if (p99.relay) rows.push(row(RELAY.name, variant.key, 'p99', p99.relay))
  if (p99.twin) rows.push(row(JABIRU_TWIN.name, variant.key, 'p99', p99.twin))
  return scenario('S3', rows, [variant])
}

test("each tail target's full runs are counted by the target's rule (median per-run ratio ≤ 1) for every row", () => {
  const files = [
    // Jabiru per run 0.8, 1.2, 1.0 (median 1.0: met); the relay 0.5 (met); no twin.
    benchResults([s3File(C50, { jabiru: [4, 6, 5], reference: [5, 5, 5], relay: [2.5, 2.5, 2.5] })]),
    // Jabiru 1.2 (missed); the relay 1.1 (missed); the twin 0.9 (met).
    benchResults([
      s3File(C50, { jabiru: [6, 6, 6], reference: [5, 5, 5], relay: [5.5, 5.5, 5.5], twin: [4.5, 4.5, 4.5] }),
    ]),
    // No S3 at all: left out.
    benchResults([]),
  ]
  const [c50, ...rest] = tailHistory(files)
  assert.equal(rest, [])
  assert.ok(c50)
  assert.is(c50.target, 'S3, 50 clients')
  assert.equal(c50.jabiru, { files: 2, met: 1, medians: [1, 1.2] })
  assert.equal(c50.relay, { files: 2, met: 1, medians: [0.5, 1.1] })
  assert.equal(c50.twin, { files: 1, met: 1, medians: [0.9] }, 'only the file that measured the twin counts')
})

test('targets come in the order they first appear; S4 is one target; a file without Jabiru in a scenario is left out', () => {
  const s4 = scenario(
    'S4',
    [
      row(JABIRU.name, 'quiet', 'p99', [3, 3, 3]),
      row(HOCUSPOCUS.name, 'quiet', 'p99', [4, 4, 4]),
      row(REFERENCE.name, 'quiet', 'p99', [2, 2, 2]),
    ],
    [{ key: 'quiet', label: 'quiet canvases' }],
  )
  const peersOnly = scenario('S3', [row(REFERENCE.name, 'c5', 'p99', [1, 1, 1])], [C5])
  const files = [
    benchResults([s3File(C5, { jabiru: [1, 1, 1], reference: [2, 2, 2] }), s4]),
    benchResults([peersOnly]),
    benchResults([s3File(C50, { jabiru: [2, 2, 2], reference: [1, 1, 1] })]),
  ]
  const history = tailHistory(files)
  assert.equal(
    history.map((h) => [h.target, h.jabiru.files, h.jabiru.met]),
    [
      ['S3, 5 clients', 1, 1],
      // Against the better peer (the reference's 2 ms), not Hocuspocus' 4.
      ['S4', 1, 0],
      ['S3, 50 clients', 1, 0],
    ],
  )
  assert.equal(history[1]?.relay, { files: 0, met: 0, medians: [] }, 'no relay row, no relay tally')
})

test('the rendered table gives counts and the spread of the full runs’ medians, and a dash for a row never measured', () => {
  const files = [
    benchResults([s3File(C50, { jabiru: [4, 4, 4], reference: [5, 5, 5], relay: [2.5, 2.5, 2.5] })]),
    benchResults([s3File(C50, { jabiru: [6, 6, 6], reference: [5, 5, 5], relay: [4, 4, 4] })]),
  ]
  const text = renderTailHistory(tailHistory(files))
  assert.match(text, '## Tail targets over every committed full run')
  assert.match(
    text,
    /\| S3, 50 clients \| 1 of 2 +\| 1\.00× \(0\.80×–1\.20×\) +\| 2 of 2 +\| 0\.65× \(0\.50×–0\.80×\) +\| – +\|/,
  )
})

test.run()
