import { crc32 } from 'node:zlib'

/**
 * One journal entry on disk, in a canvas's log file:
 *
 *   u32 bodyLength | u32 crc32(body) | body
 *   body = u8 format (1) | f64 seq | f64 createdAt (ms since epoch) | u8 authorLength | author (ASCII) | update
 *
 * Little-endian. The CRC makes a torn or garbled tail detectable: a process killed in the middle of a write leaves a
 * record whose length or checksum does not match, and everything from there on is cut off when the log is opened.
 * Records are self-delimiting, so a batch is just its records concatenated and written with one write(2).
 */
export interface LogRecord {
  readonly seq: number
  readonly createdAt: number
  readonly authorId: string | null
  readonly update: Uint8Array
}

const FORMAT = 1
const FRAME_HEADER = 8
const BODY_FIXED = 1 + 8 + 8 + 1
/** Lower-case UUIDs only (checked by the store), so ASCII is exact. */
const MAX_AUTHOR_LENGTH = 255

export function encodedLength(record: LogRecord): number {
  return FRAME_HEADER + BODY_FIXED + (record.authorId?.length ?? 0) + record.update.length
}

/** Writes `record` into `target` at `offset`; returns the offset after it. */
export function encodeRecord(record: LogRecord, target: Buffer, offset: number): number {
  const author = record.authorId ?? ''
  if (author.length > MAX_AUTHOR_LENGTH) throw new RangeError('author id too long for a log record')
  const bodyStart = offset + FRAME_HEADER
  let at = bodyStart
  at = target.writeUInt8(FORMAT, at)
  at = target.writeDoubleLE(record.seq, at)
  at = target.writeDoubleLE(record.createdAt, at)
  at = target.writeUInt8(author.length, at)
  at += target.write(author, at, 'latin1')
  target.set(record.update, at)
  at += record.update.length
  target.writeUInt32LE(at - bodyStart, offset)
  target.writeUInt32LE(crc32(target.subarray(bodyStart, at)), offset + 4)
  return at
}

/** The records of `records` concatenated: one buffer, one write. */
export function encodeRecords(records: readonly LogRecord[]): Buffer {
  const buffer = Buffer.allocUnsafe(records.reduce((sum, record) => sum + encodedLength(record), 0))
  let offset = 0
  for (const record of records) offset = encodeRecord(record, buffer, offset)
  return buffer
}

export interface DecodedLog {
  readonly records: LogRecord[]
  /** Bytes of `data` that hold whole, valid records; anything after is a torn or corrupt tail. */
  readonly validLength: number
}

/**
 * Decodes records from the start of `data`, stopping at the first incomplete or corrupt one. Updates are copies
 * (plain Uint8Arrays), never views into `data`.
 */
export function decodeRecords(data: Uint8Array): DecodedLog {
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  const records: LogRecord[] = []
  let offset = 0
  for (let frame = frameAt(view, 0); frame !== null; frame = frameAt(view, offset)) {
    if (!checksumMatches(view, offset, frame)) break
    records.push({
      seq: frame.seq,
      createdAt: view.readDoubleLE(frame.bodyStart + 9),
      authorId:
        frame.updateStart === frame.bodyStart + BODY_FIXED
          ? null
          : view.toString('latin1', frame.bodyStart + BODY_FIXED, frame.updateStart),
      update: new Uint8Array(view.subarray(frame.updateStart, frame.bodyEnd)),
    })
    offset = frame.bodyEnd
  }
  return { records, validLength: offset }
}

/** The frame starting at `offset`, if it is whole and well formed (its checksum is not checked here). */
interface Frame {
  readonly bodyStart: number
  readonly bodyEnd: number
  readonly updateStart: number
  readonly seq: number
}

function frameAt(view: Buffer, offset: number): Frame | null {
  if (offset + FRAME_HEADER > view.length) return null
  const bodyLength = view.readUInt32LE(offset)
  const bodyStart = offset + FRAME_HEADER
  const bodyEnd = bodyStart + bodyLength
  if (bodyLength < BODY_FIXED || bodyEnd > view.length || view.readUInt8(bodyStart) !== FORMAT) return null
  const updateStart = bodyStart + BODY_FIXED + view.readUInt8(bodyStart + 17)
  if (updateStart > bodyEnd) return null
  return { bodyStart, bodyEnd, updateStart, seq: view.readDoubleLE(bodyStart + 1) }
}

function checksumMatches(view: Buffer, offset: number, frame: Frame): boolean {
  return crc32(view.subarray(frame.bodyStart, frame.bodyEnd)) === view.readUInt32LE(offset + 4)
}

/** Where the records that follow a seq start in a log, as found by `locateRecordsAfter`. */
export interface RecordsAfter {
  /** Byte offset of the first record whose seq exceeds the given one; the data's length when none does. */
  readonly offset: number
  /** Records from `offset` to the end, and the bytes of their updates. */
  readonly entries: number
  readonly updateBytes: number
  /**
   * Every frame is whole, seqs ascend, and the checksums of the records from `offset` on match. When false the
   * caller must fall back to `decodeRecords`, which finds exactly where the valid records end.
   */
  readonly intact: boolean
}

/**
 * Finds the records of `data` with seq > `afterSeq` by walking the frame headers. The records before them are not
 * checksummed or copied: a compaction drops them, and a 4 MB log holds about 40,000 of them, which `decodeRecords`
 * (a checksum and a copy each) took tens of milliseconds of the event loop to go through (S2 profile).
 */
export function locateRecordsAfter(data: Uint8Array, afterSeq: number): RecordsAfter {
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  const broken: RecordsAfter = { offset: 0, entries: 0, updateBytes: 0, intact: false }
  let offset = 0
  let tailOffset = -1
  let entries = 0
  let updateBytes = 0
  let previousSeq = Number.NEGATIVE_INFINITY
  while (offset < view.length) {
    const frame = frameAt(view, offset)
    if (frame === null || frame.seq <= previousSeq) return broken
    previousSeq = frame.seq
    if (frame.seq > afterSeq) {
      if (!checksumMatches(view, offset, frame)) return broken
      if (tailOffset < 0) tailOffset = offset
      entries++
      updateBytes += frame.bodyEnd - frame.updateStart
    }
    offset = frame.bodyEnd
  }
  return { offset: tailOffset < 0 ? view.length : tailOffset, entries, updateBytes, intact: true }
}
