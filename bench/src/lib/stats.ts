/** Latency samples and percentile summaries. */

/** A growable list of samples (Float64Array-backed to keep millions of samples cheap). */
export class Samples {
  private data = new Float64Array(1024)
  private n = 0

  add(value: number): void {
    if (this.n === this.data.length) {
      const next = new Float64Array(this.data.length * 2)
      next.set(this.data)
      this.data = next
    }
    this.data[this.n++] = value
  }

  get count(): number {
    return this.n
  }

  /** A copy of the samples, in the order added. */
  values(): Float64Array {
    return this.data.slice(0, this.n)
  }

  /** Summary of the samples plus `missing` samples counted as +Infinity (lost or not arrived in time). */
  summarize(missing = 0): Summary {
    return summarize(this.data.subarray(0, this.n), missing)
  }
}

export interface Summary {
  readonly count: number
  readonly missing: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
  readonly mean: number
}

const pick = (sorted: Float64Array, total: number, q: number): number => {
  if (total === 0) return Number.NaN
  const rank = Math.min(total - 1, Math.max(0, Math.ceil(q * total) - 1))
  return rank < sorted.length ? sorted[rank]! : Number.POSITIVE_INFINITY
}

export const summarize = (values: Float64Array | readonly number[], missing = 0): Summary => {
  const sorted = Float64Array.from(values).sort()
  const total = sorted.length + missing
  let sum = 0
  for (const v of sorted) sum += v
  return {
    count: sorted.length,
    missing,
    p50: pick(sorted, total, 0.5),
    p90: pick(sorted, total, 0.9),
    p99: pick(sorted, total, 0.99),
    max: missing > 0 ? Number.POSITIVE_INFINITY : sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  }
}

export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly runs: readonly number[]
}

/** Median with min and max over runs (the headline form of every number in the report). */
export const spread = (runs: readonly number[]): Spread => {
  const sorted = [...runs].sort((a, b) => a - b)
  const n = sorted.length
  if (n === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: [] }
  const mid = Math.floor(n / 2)
  const median = n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return { median, min: sorted[0]!, max: sorted[n - 1]!, runs }
}
