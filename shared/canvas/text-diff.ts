/**
 * Character diff of two strings, used to describe narrative text edits: Myers' shortest edit script, then two
 * readability passes (slide edits right, fold short unchanged stretches between edits). Positions and lengths count
 * UTF-16 code units, the unit of Y.Text indexes.
 */

/** One contiguous edit: at `index` of the new text, `deleted` old characters were replaced by `inserted` new ones. */
export interface TextRange {
  readonly index: number
  readonly inserted: number
  readonly deleted: number
}

export interface TextDiff {
  readonly inserted: number
  readonly deleted: number
  /**
   * Ascending, non-adjacent edits. `index` is an offset in the new text, so applying the ranges in order to the old
   * text (replace `deleted` characters at `index` by the `inserted` characters of the new text found at `index`)
   * yields the new text.
   */
  readonly ranges: readonly TextRange[]
}

/**
 * Work budget of the exact diff (diagonals visited plus characters compared), about tens of milliseconds. Myers'
 * algorithm costs O((N + M) * D); past the budget (large texts with many scattered edits) the diff falls back to
 * one range spanning everything between the common prefix and suffix: still correct, only coarser.
 */
export const MAX_DIFF_WORK = 1_000_000

export function diffText(before: string, after: string): TextDiff {
  const prefix = commonPrefixLength(before, after)
  const suffix = commonSuffixLength(before, after, prefix)
  const oldMiddle = before.slice(prefix, before.length - suffix)
  const newMiddle = after.slice(prefix, after.length - suffix)
  if (oldMiddle.length === 0 && newMiddle.length === 0) return { inserted: 0, deleted: 0, ranges: [] }

  const middleRanges =
    oldMiddle.length === 0 || newMiddle.length === 0 ? null : myersRanges(oldMiddle, newMiddle, MAX_DIFF_WORK)
  const exact = (middleRanges ?? [{ index: 0, inserted: newMiddle.length, deleted: oldMiddle.length }]).map(
    (range) => ({ ...range, index: range.index + prefix }),
  )
  const ranges = mergeCloseRanges(slideRight(exact, before, after))
  return {
    inserted: ranges.reduce((sum, range) => sum + range.inserted, 0),
    deleted: ranges.reduce((sum, range) => sum + range.deleted, 0),
    ranges,
  }
}

/**
 * A minimal diff is often ambiguous: appending ' 2024' to 'Q4 ' + '2024' can be read as inserting '4 202' after 'Q'.
 * Sliding every pure insertion or deletion as far right as the unchanged text after it allows picks the reading
 * a person typing at the end would expect, and matches the common-prefix rule used for single edits.
 */
function slideRight(ranges: readonly TextRange[], before: string, after: string): TextRange[] {
  const slid: TextRange[] = []
  let shift = 0 // old index minus new index in the unchanged text between ranges
  ranges.forEach((range, r) => {
    const { inserted, deleted } = range
    const end = ranges[r + 1]?.index ?? after.length // the unchanged text after the range ends here (new text)
    let index = range.index
    if (deleted === 0) {
      while (index + inserted < end && after.charCodeAt(index) === after.charCodeAt(index + inserted)) index++
    } else if (inserted === 0) {
      while (index < end && before.charCodeAt(index + shift) === before.charCodeAt(index + shift + deleted))
        index++
    }
    slid.push({ index, inserted, deleted })
    shift += deleted - inserted
  })
  return slid
}

/**
 * Character-level minimal diffs shred word replacements ('rose' -> 'fell' keeps the 'e'). As in diff-match-patch's
 * semantic cleanup, an unchanged stretch no longer than the edits on both of its sides is folded into one range.
 * Repeats until stable, since a merged range can absorb the stretch before it.
 */
function mergeCloseRanges(ranges: readonly TextRange[]): TextRange[] {
  let current = [...ranges]
  for (;;) {
    const merged: TextRange[] = []
    for (const range of current) {
      const last = merged.at(-1)
      const gap = last === undefined ? 0 : range.index - (last.index + last.inserted)
      if (
        last !== undefined &&
        gap <= Math.max(last.inserted, last.deleted) &&
        gap <= Math.max(range.inserted, range.deleted)
      ) {
        merged[merged.length - 1] = {
          index: last.index,
          inserted: last.inserted + gap + range.inserted,
          deleted: last.deleted + gap + range.deleted,
        }
      } else {
        merged.push(range)
      }
    }
    if (merged.length === current.length) return merged
    current = merged
  }
}

function commonPrefixLength(a: string, b: string): number {
  const max = Math.min(a.length, b.length)
  let i = 0
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++
  return i
}

/** Common suffix that does not overlap the already matched prefix of either string. */
function commonSuffixLength(a: string, b: string, prefix: number): number {
  const max = Math.min(a.length, b.length) - prefix
  let i = 0
  while (i < max && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++
  return i
}

/**
 * Myers' O(ND) shortest edit script, grouped into ranges. Returns null when the work budget runs out.
 * `trace[d]` holds the furthest x reached on each diagonal k in [-d, d] after step d (at index k + d).
 */
function myersRanges(a: string, b: string, budget: number): TextRange[] | null {
  const n = a.length
  const m = b.length
  // Step d costs at least d + 1 work, so the budget also bounds d (and the memory of the trace, about d^2 ints).
  const maxD = Math.min(n + m, Math.ceil(Math.sqrt(2 * budget)))
  const offset = maxD + 1
  const v = new Int32Array(2 * maxD + 3)
  const trace: Int32Array[] = []
  let work = 0
  for (let d = 0; d <= maxD; d++) {
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0))
      const startX = down ? (v[offset + k + 1] ?? 0) : (v[offset + k - 1] ?? 0) + 1
      let x = startX
      let y = x - k
      while (x < n && y < m && a.charCodeAt(x) === b.charCodeAt(y)) {
        x++
        y++
      }
      work += 1 + x - startX
      v[offset + k] = x
      if (x >= n && y >= m) {
        trace.push(v.slice(offset - d, offset + d + 1))
        return backtrack(trace, n, m)
      }
    }
    trace.push(v.slice(offset - d, offset + d + 1))
    if (work > budget) return null
  }
  return null
}

interface Edit {
  /** Position in the old (x) and new (y) string before the edit. */
  readonly x: number
  readonly y: number
  readonly kind: 'insert' | 'delete'
}

function backtrack(trace: readonly Int32Array[], n: number, m: number): TextRange[] {
  const edits: Edit[] = []
  let x = n
  let y = m
  for (let d = trace.length - 1; d > 0; d--) {
    const previous = trace[d - 1]
    if (previous === undefined) break
    const at = (k: number): number => previous[k + d - 1] ?? 0
    const k = x - y
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1))
    const prevK = down ? k + 1 : k - 1
    const prevX = at(prevK)
    const prevY = prevX - prevK
    edits.push({ x: prevX, y: prevY, kind: down ? 'insert' : 'delete' })
    x = prevX
    y = prevY
  }
  edits.reverse()
  return groupEdits(edits)
}

/** Merges edits that follow each other with no unchanged character between them into one range. */
function groupEdits(edits: readonly Edit[]): TextRange[] {
  const ranges: TextRange[] = []
  let current: { index: number; inserted: number; deleted: number; endX: number; endY: number } | null = null
  for (const edit of edits) {
    if (current === null || current.endX !== edit.x || current.endY !== edit.y) {
      if (current !== null) ranges.push(toRange(current))
      current = { index: edit.y, inserted: 0, deleted: 0, endX: edit.x, endY: edit.y }
    }
    if (edit.kind === 'insert') {
      current.inserted++
      current.endY++
    } else {
      current.deleted++
      current.endX++
    }
  }
  if (current !== null) ranges.push(toRange(current))
  return ranges
}

function toRange(range: { index: number; inserted: number; deleted: number }): TextRange {
  return { index: range.index, inserted: range.inserted, deleted: range.deleted }
}
