/**
 * Which way of building a compacted state costs the event loop less. Measured on the bench machine:
 * - Encoding the room's live Y.Doc runs on the loop: about 13-29 ns per byte of state (a 200 KB fragmented canvas
 *   4 ms, 1 MB 29 ms; bench S7 spent 39 % of its loop there).
 * - Folding the stored rows runs on the compaction thread; the loop only reads the rows back, about 1-1.75 us per
 *   journal entry (the log store checks and slices each record: 40,000 records took 40-70 ms), plus copies of the
 *   bytes at about 1 ns per byte.
 * So a large canvas with a short journal (the usual case: a compaction every minute) folds off the loop, and a
 * small canvas with a long journal of overwrites (bench S2: 25,000 map updates on a few kilobytes) is encoded.
 */
const ENCODE_NS_PER_STATE_BYTE = 20
const READ_NS_PER_JOURNAL_ENTRY = 1500

/** True when folding `journalEntries` into a state of about `stateBytes` off the loop costs the loop less. */
export function foldsOffLoop(journalEntries: number, stateBytes: number): boolean {
  return journalEntries * READ_NS_PER_JOURNAL_ENTRY < stateBytes * ENCODE_NS_PER_STATE_BYTE
}
