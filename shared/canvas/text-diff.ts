/**
 * Character diff of two strings, used to describe narrative text edits. Positions and lengths count UTF-16 code
 * units, the unit of Y.Text indexes.
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
  const ranges = (middleRanges ?? [{ index: 0, inserted: newMiddle.length, deleted: oldMiddle.length }]).map(
    (range) => ({ ...range, index: range.index + prefix }),
  )
  return {
    inserted: ranges.reduce((sum, range) => sum + range.inserted, 0),
    deleted: ranges.reduce((sum, range) => sum + range.deleted, 0),
    ranges,
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
