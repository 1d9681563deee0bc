import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { diffText, MAX_DIFF_WORK, type TextDiff } from './text-diff.ts'

/** Applies the ranges to `before` as documented; must yield `after`. */
function applyDiff(before: string, after: string, diff: TextDiff): string {
  let text = before
  for (const range of diff.ranges) {
    text =
      text.slice(0, range.index) +
      after.slice(range.index, range.index + range.inserted) +
      text.slice(range.index + range.deleted)
  }
  return text
}

/** Deterministic PRNG (mulberry32) so a failure reproduces. */
function prng(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

test('identical texts have no ranges', () => {
  assert.equal(diffText('same', 'same'), { inserted: 0, deleted: 0, ranges: [] })
  assert.equal(diffText('', ''), { inserted: 0, deleted: 0, ranges: [] })
})

test('single insertions, deletions and replacements', () => {
  assert.equal(diffText('Sales rose', 'Sales rose by 25%'), {
    inserted: 7,
    deleted: 0,
    ranges: [{ index: 10, inserted: 7, deleted: 0 }],
  })
  assert.equal(diffText('Sales rose sharply', 'Sales rose'), {
    inserted: 0,
    deleted: 8,
    ranges: [{ index: 10, inserted: 0, deleted: 8 }],
  })
  assert.equal(diffText('', 'new'), {
    inserted: 3,
    deleted: 0,
    ranges: [{ index: 0, inserted: 3, deleted: 0 }],
  })
  assert.equal(diffText('The cat sat', 'The dog sat').ranges, [{ index: 4, inserted: 3, deleted: 3 }])
})

test('separate edits give separate ranges indexed in the new text', () => {
  assert.equal(diffText('abcdef', 'aXcdeYf'), {
    inserted: 2,
    deleted: 1,
    ranges: [
      { index: 1, inserted: 1, deleted: 1 },
      { index: 5, inserted: 1, deleted: 0 },
    ],
  })
  assert.equal(diffText('one two three', 'two three four').ranges, [
    { index: 0, inserted: 0, deleted: 4 },
    { index: 9, inserted: 5, deleted: 0 },
  ])
})

test('ambiguous edits are placed where a person typing would put them', () => {
  assert.equal(diffText('Sales rose in Q4.', 'Sales fell in Q4 2024.').ranges, [
    { index: 6, inserted: 4, deleted: 4 },
    { index: 16, inserted: 5, deleted: 0 },
  ])
  assert.equal(diffText('rose in Q4.', 'rose in Q4. Margins held.').ranges, [
    { index: 11, inserted: 14, deleted: 0 },
  ])
  assert.equal(diffText('a b c. d.', 'a c. d.').ranges, [{ index: 2, inserted: 0, deleted: 2 }])
})

test('counts are UTF-16 code units, as Y.Text indexes are', () => {
  assert.equal(diffText('ab', 'a😀b').ranges, [{ index: 1, inserted: 2, deleted: 0 }])
})

test('random pairs: ranges rebuild the new text and are ascending and separated', () => {
  const random = prng(42)
  const word = (): string =>
    Array.from({ length: Math.floor(random() * 14) }, () => 'ab c'[Math.floor(random() * 4)]).join('')
  for (let i = 0; i < 3000; i++) {
    const before = word()
    const after = random() < 0.5 ? word() : before.slice(0, 3) + word() + before.slice(5)
    const diff = diffText(before, after)
    assert.is(applyDiff(before, after, diff), after, JSON.stringify({ before, after }))
    assert.is(diff.inserted - diff.deleted, after.length - before.length)
    assert.is(
      diff.inserted,
      diff.ranges.reduce((sum, range) => sum + range.inserted, 0),
    )
    assert.is(
      diff.deleted,
      diff.ranges.reduce((sum, range) => sum + range.deleted, 0),
    )
    diff.ranges.forEach((range, k) => {
      assert.ok(range.inserted + range.deleted > 0)
      const previous = diff.ranges[k - 1]
      if (previous !== undefined) assert.ok(range.index > previous.index + previous.inserted, 'not adjacent')
    })
  }
})

test('past the work budget the diff falls back to one range between common prefix and suffix', () => {
  const random = prng(7)
  const length = 50_000
  const before = Array.from({ length }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('')
  // An edit every 20 characters: about 5,000 edits over 50,000 characters, far beyond MAX_DIFF_WORK.
  const after = [...before].map((char, i) => (i % 20 === 10 ? char.toUpperCase() : char)).join('')
  assert.ok(length * (length / 20) > MAX_DIFF_WORK)
  const diff = diffText(before, after)
  const firstEdit = 10
  const lastEdit = length - 10 // 49,990: the last index with i % 20 === 10
  const span = lastEdit - firstEdit + 1
  assert.equal(diff.ranges, [{ index: firstEdit, inserted: span, deleted: span }])
  assert.is(applyDiff(before, after, diff), after)
})

test('large texts with few edits stay exact', () => {
  const random = prng(9)
  const before = Array.from({ length: 100_000 }, () =>
    String.fromCharCode(97 + Math.floor(random() * 26)),
  ).join('')
  const after = `${before.slice(0, 1000)}INSERTED${before.slice(1000, 90_000)}${before.slice(90_010)}`
  assert.equal(diffText(before, after).ranges, [
    { index: 1000, inserted: 8, deleted: 0 },
    { index: 90_008, inserted: 0, deleted: 10 },
  ])
})

test.run()
