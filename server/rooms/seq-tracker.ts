/**
 * Tracks which journal seqs of one canvas are applied to the in-memory document. `contiguous` is the highest seq
 * such that every seq <= it is applied: it is what compaction may fold, and a gap above it means a relay was missed
 * (pub/sub is lossy) and must be repaired from storage.
 */
export class SeqTracker {
  private contiguousValue: number
  private readonly ahead = new Set<number>()

  constructor(start: number) {
    this.contiguousValue = start
  }

  get contiguous(): number {
    return this.contiguousValue
  }

  /** True while some applied seq sits above a missing one. */
  get hasGap(): boolean {
    return this.ahead.size > 0
  }

  /** The highest seq seen applied (contiguous or not). */
  get highest(): number {
    let max = this.contiguousValue
    for (const seq of this.ahead) if (seq > max) max = seq
    return max
  }

  mark(seq: number): void {
    if (seq <= this.contiguousValue) return
    if (seq !== this.contiguousValue + 1) {
      this.ahead.add(seq)
      return
    }
    this.contiguousValue = seq
    while (this.ahead.delete(this.contiguousValue + 1)) this.contiguousValue++
  }

  /** After a repair applied everything stored up to `seq`. */
  markAllUpTo(seq: number): void {
    if (seq > this.contiguousValue) this.contiguousValue = seq
    for (const pending of this.ahead) if (pending <= this.contiguousValue) this.ahead.delete(pending)
    while (this.ahead.delete(this.contiguousValue + 1)) this.contiguousValue++
  }
}
