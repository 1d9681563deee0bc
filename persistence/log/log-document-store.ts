import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { type DirectoryLock, lockDirectory } from '../directory-lock.ts'
import {
  assertCanvasId,
  assertCompaction,
  assertJournalAppends,
  assertSeqArgument,
} from '../document-arguments.ts'
import type {
  CompactionResult,
  DocumentStore,
  JournalAppend,
  JournalEntry,
  JournalStats,
  StoredDocument,
} from '../ports.ts'
import type { SqlDocumentStates } from '../sql/document-states.ts'
import { decodeRecords, encodeRecords, type LogRecord, locateRecordsAfter } from './record.ts'

export interface LogDocumentStoreOptions {
  /** Directory of the log files (one per canvas); created if missing. */
  readonly dir: string
  /** Where compacted states live (the embedded PGlite database). */
  readonly states: SqlDocumentStates
  /**
   * fdatasync every written log file before an append resolves: survives power loss, at the price of a disk
   * flush per group commit. Without it an append is durable against the process dying (it is in the kernel's page
   * cache), which is what the embedded PGlite database offers too (it runs with fsync off).
   */
  readonly fsync?: boolean
  /**
   * Open file descriptors kept for appending (least recently used are closed). Default 1024: enough for the
   * canvases edited at once on one instance (an fd per append would triple the syscalls), small next to the
   * descriptors sockets need.
   */
  readonly maxOpenFiles?: number
  /** Warnings about repaired logs (a torn tail cut off at open). */
  readonly warn?: (message: string, details: Record<string, unknown>) => void
}

/** What this process knows of one canvas's log. */
interface CanvasLog {
  /** Highest seq ever handed out for the canvas (its log, or the stored state if the log was emptied). */
  lastSeq: number
  /** Seq the stored state covers, as far as this store knows (it moves it forward itself when compacting). */
  stateSeq: number
  /** Entries in the log file and their update bytes; after open and compaction, exactly those > stateSeq. */
  entries: number
  bytes: number
  /** The file's size as this process wrote it: a different size means another writer touched it. */
  size: number
  /**
   * Where batches ended: the record after `seq` starts at byte `offset`. A compaction drops the entries up to a seq
   * near the end of the log, so it reads the log from the last mark at or before that seq instead of reading the
   * whole file (4 MB at the default threshold). A batch leaves a mark only once the log has grown MARK_SPACING_BYTES
   * past the previous one, so a compaction reads at most that much before its seq. Oldest first, at most MAX_MARKS.
   */
  marks: { readonly seq: number; readonly offset: number }[]
}

const LOG_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.log$/
const DEFAULT_MAX_OPEN_FILES = 1024
const MAX_MARKS = 64
/**
 * A mark per batch cost an object per canvas per batch, kept for that canvas's next 64 batches: long enough to be
 * copied out of the young generation (bench S4, 1,000 canvases with a batch every ~250 ms each: 0.7 MB of marks
 * made in its 8 s window were still alive at the window's end, sampling heap profile). 64 marks this far apart
 * still cover the default compaction threshold.
 */
const MARK_SPACING_BYTES = 64 * 1024

/**
 * DocumentStore for the embedded single-process server: the journal is an append-only log file per canvas in the
 * data directory, compacted states live in SQL (PGlite). An append is one write(2) per canvas of the batch, so a
 * group commit costs microseconds of the event loop instead of a PGlite statement (about 0.6 ms, measured by the
 * benchmarks: most of the server's core at a few thousand updates/s).
 *
 * Single writer: seqs are allocated in memory, so only one process may use the directory; opening takes
 * `<dir>.lock` (as the embedded PGlite's directory has) and closing releases it. A file that changed size while the
 * store had it closed makes the batch that reopens it fail, and is re-read.
 *
 * Invariants:
 * - a batch is all or nothing: each canvas's records go out in one write, and if any write fails the files already
 *   written are truncated back before the error is returned (a crash mid-batch can leave some canvases' records of
 *   a batch that was never acknowledged: harmless, their updates were never relayed and Yjs ignores repeats);
 * - log entries are dropped only after a state covering them committed in SQL, so every entry is always in the
 *   state or in the log; loads read the log BEFORE the state, so a compaction in between cannot hide entries
 *   (entries the state already covers are filtered out by seq);
 * - a torn record at the end of a file (killed mid-write) fails its checksum and is cut off at open.
 */
export class LogDocumentStore implements DocumentStore {
  readonly #dir: string
  readonly #states: SqlDocumentStates
  readonly #fsync: boolean
  readonly #maxOpenFiles: number
  readonly #warn: (message: string, details: Record<string, unknown>) => void
  readonly #canvases = new Map<string, CanvasLog>()
  /** canvas id -> fd opened for appending, in least-recently-used order. */
  readonly #fds = new Map<string, number>()
  #closed = false

  private constructor(
    options: LogDocumentStoreOptions,
    private readonly lock: DirectoryLock,
  ) {
    this.#dir = options.dir
    this.#states = options.states
    this.#fsync = options.fsync ?? false
    this.#maxOpenFiles = options.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES
    this.#warn = options.warn ?? (() => undefined)
  }

  /** Opens the directory: repairs torn tails, drops entries already compacted, adopts SQL journal rows. */
  static async open(options: LogDocumentStoreOptions): Promise<LogDocumentStore> {
    mkdirSync(options.dir, { recursive: true })
    const store = new LogDocumentStore(options, lockDirectory(options.dir, 'the journal directory'))
    try {
      await store.#recover()
      await store.#adoptSqlJournal()
    } catch (error) {
      await store.close()
      throw error
    }
    return store
  }

  async appendJournal(entries: readonly JournalAppend[]): Promise<number[]> {
    this.#assertOpen()
    if (entries.length === 0) return []
    assertJournalAppends(entries)
    // Canvases this store already tracks need no await: a batch of them runs synchronously from here, which saves
    // the journal's most common path (every edit of an open canvas) a promise hop before the write.
    if (!this.#tracksAll(entries)) {
      await this.#discover(entries.map((entry) => entry.canvasId))
      // Closed while discovering: no descriptor may be opened any more.
      this.#assertOpen()
    }
    // From here on everything is synchronous: no other call of this store interleaves with the batch.
    const now = Date.now()
    const byCanvas = new Map<string, LogRecord[]>()
    const seqs = entries.map((entry) => {
      const records = byCanvas.get(entry.canvasId) ?? []
      const seq = this.#known(entry.canvasId).lastSeq + records.length + 1
      records.push({ seq, createdAt: now, authorId: entry.authorId, update: entry.update })
      byCanvas.set(entry.canvasId, records)
      return seq
    })
    this.#writeBatch(byCanvas)
    return seqs
  }

  async loadDocument(canvasId: string): Promise<StoredDocument> {
    this.#assertOpen()
    assertCanvasId(canvasId)
    const logged = this.#readLog(canvasId)
    const { state, stateSeq } = await this.#states.read(canvasId)
    return { state, stateSeq, journal: logged.filter((entry) => entry.seq > stateSeq) }
  }

  async readJournal(canvasId: string, afterSeq: number): Promise<JournalEntry[]> {
    this.#assertOpen()
    assertCanvasId(canvasId)
    assertSeqArgument(afterSeq, 'afterSeq')
    return this.#readLog(canvasId).filter((entry) => entry.seq > afterSeq)
  }

  async compact(canvasId: string, state: Uint8Array, upToSeq: number): Promise<CompactionResult> {
    this.#assertOpen()
    assertCompaction(canvasId, state, upToSeq)
    await this.#discover([canvasId])
    const lastSeq = this.#known(canvasId).lastSeq
    if (upToSeq > lastSeq) {
      throw new RangeError(
        `cannot compact canvas ${canvasId} up to seq ${upToSeq}: its journal ends at seq ${lastSeq}`,
      )
    }
    const result = await this.#states.write(canvasId, state, upToSeq)
    // The state covering result.stateSeq is committed: entries up to there may leave the log (at the next open if
    // the store was closed meanwhile).
    if (!this.#closed) this.#dropThrough(canvasId, result.stateSeq)
    return result
  }

  async journalStats(canvasId: string): Promise<JournalStats> {
    this.#assertOpen()
    assertCanvasId(canvasId)
    await this.#discover([canvasId])
    const log = this.#known(canvasId)
    return { entries: log.entries, bytes: log.bytes }
  }

  async deleteDocument(canvasId: string): Promise<void> {
    this.#assertOpen()
    assertCanvasId(canvasId)
    // Log first: a crash before the SQL delete leaves a state row of a purged canvas (retention retries), never a
    // log that would bring journal entries back under a canvas whose state is gone.
    this.#closeFd(canvasId)
    rmSync(this.#path(canvasId), { force: true })
    if (this.#fsync) this.#syncDirectory()
    this.#canvases.set(canvasId, { lastSeq: 0, stateSeq: 0, entries: 0, bytes: 0, size: 0, marks: [] })
    await this.#states.delete(canvasId)
  }

  ping(): Promise<void> {
    return this.#states.ping()
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    try {
      for (const canvasId of [...this.#fds.keys()]) this.#closeFd(canvasId)
    } finally {
      this.lock.release()
    }
  }

  // -- writing ---------------------------------------------------------------------------------------------------

  #writeBatch(byCanvas: ReadonlyMap<string, readonly LogRecord[]>): void {
    const written: { readonly canvasId: string; readonly fd: number; readonly sizeBefore: number }[] = []
    const sizes = new Map<string, number>()
    try {
      for (const [canvasId, records] of byCanvas) {
        const log = this.#known(canvasId)
        const opening = !this.#fds.has(canvasId)
        const fd = this.#fd(canvasId)
        // The directory is locked, so only a file this store had closed (evicted, rewritten by a compaction, never
        // opened) can have been written by someone else: checked when it is opened, not on every batch (an fstat
        // is tens of microseconds on a virtual machine, paid by every update before it is relayed).
        const actual = opening ? fstatSync(fd).size : log.size
        if (actual !== log.size) {
          this.#resync(canvasId)
          throw new Error(
            `journal log of canvas ${canvasId} changed behind this store (${actual} bytes, expected ${log.size}): ` +
              'was it edited while the server ran? batch refused',
          )
        }
        const data = encodeRecords(records)
        written.push({ canvasId, fd, sizeBefore: log.size })
        writeFully(fd, data)
        sizes.set(canvasId, log.size + data.length)
      }
      if (this.#fsync) for (const { fd } of written) fdatasyncSync(fd)
    } catch (error) {
      this.#rollBack(written)
      throw error
    }
    for (const [canvasId, records] of byCanvas) {
      const log = this.#known(canvasId)
      log.lastSeq += records.length
      log.entries += records.length
      for (const record of records) log.bytes += record.update.length
      log.size = sizes.get(canvasId) ?? log.size
      if (log.size - (log.marks.at(-1)?.offset ?? 0) >= MARK_SPACING_BYTES) {
        log.marks.push({ seq: log.lastSeq, offset: log.size })
        if (log.marks.length > MAX_MARKS) log.marks.shift()
      }
    }
  }

  /** Truncates files a failed batch already wrote back to where they were. */
  #rollBack(
    written: readonly { readonly canvasId: string; readonly fd: number; readonly sizeBefore: number }[],
  ) {
    for (const { canvasId, fd, sizeBefore } of written) {
      try {
        ftruncateSync(fd, sizeBefore)
      } catch (error) {
        // The file may now hold records of a refused batch; re-reading makes this store count them, and their
        // seqs are never handed out again. Their updates were never acknowledged (no client saw them relayed).
        this.#warn('could not roll back a failed journal write; re-reading the log', {
          canvasId,
          err: error,
        })
        this.#resync(canvasId)
      }
    }
  }

  /** Keeps only entries with seq > stateSeq: rewrites the file (tmp + rename) or removes it when none remain. */
  #dropThrough(canvasId: string, stateSeq: number): void {
    const log = this.#known(canvasId)
    log.lastSeq = Math.max(log.lastSeq, stateSeq)
    log.stateSeq = Math.max(log.stateSeq, stateSeq)
    // The common case, a log this store wrote: copy the kept tail's bytes as they are. Anything unexpected takes
    // the slow path, which decodes every record and re-encodes the valid ones it keeps.
    const fromMark = this.#readFromMark(canvasId, stateSeq)
    if (fromMark !== null) {
      const tail = locateRecordsAfter(fromMark.data, stateSeq)
      if (tail.intact) {
        if (fromMark.offset + tail.offset === 0) return
        this.#replaceLog(canvasId, fromMark.data.subarray(tail.offset))
        log.entries = tail.entries
        log.bytes = tail.updateBytes
        return
      }
    }
    const data = this.#readFile(canvasId)
    const records = decodeRecords(data).records
    const kept = records.filter((record) => record.seq > stateSeq)
    if (kept.length === records.length) return
    this.#replaceLog(canvasId, encodeRecords(kept))
    log.entries = kept.length
    log.bytes = kept.reduce((sum, record) => sum + record.update.length, 0)
  }

  /** Makes `data` the canvas's whole log (tmp + rename), or removes the log when `data` is empty. */
  #replaceLog(canvasId: string, data: Uint8Array): void {
    const log = this.#known(canvasId)
    const path = this.#path(canvasId)
    this.#closeFd(canvasId)
    if (data.length === 0) {
      rmSync(path, { force: true })
    } else {
      const tmp = `${path}.tmp`
      writeFileSync(tmp, data, { flush: this.#fsync })
      renameSync(tmp, path)
    }
    if (this.#fsync) this.#syncDirectory()
    log.size = data.length
    log.marks = []
  }

  /**
   * The log from the last mark at or before `seq` to its end (from its start when no mark is), or null when the file
   * is not the size this store wrote: then the caller decodes all of it.
   */
  #readFromMark(canvasId: string, seq: number): { readonly offset: number; readonly data: Buffer } | null {
    const log = this.#known(canvasId)
    const offset = log.marks.findLast((mark) => mark.seq <= seq)?.offset ?? 0
    const path = this.#path(canvasId)
    if (fileSize(path) !== log.size || offset > log.size) return null
    const data = Buffer.allocUnsafe(log.size - offset)
    if (data.length === 0) return { offset, data }
    const fd = openSync(path, 'r')
    try {
      let read = 0
      while (read < data.length) {
        const n = readSync(fd, data, read, data.length - read, offset + read)
        if (n === 0) return null
        read += n
      }
    } finally {
      closeSync(fd)
    }
    return { offset, data }
  }

  #fd(canvasId: string): number {
    const cached = this.#fds.get(canvasId)
    if (cached !== undefined) {
      this.#fds.delete(canvasId)
      this.#fds.set(canvasId, cached)
      return cached
    }
    const path = this.#path(canvasId)
    const created = this.#fsync && !existsSync(path)
    const fd = openSync(path, 'a')
    // With fsync on, a new file's directory entry must be durable too, or power loss could lose the whole file.
    if (created) this.#syncDirectory()
    this.#fds.set(canvasId, fd)
    for (const [oldest] of this.#fds) {
      if (this.#fds.size <= this.#maxOpenFiles) break
      this.#closeFd(oldest)
    }
    return fd
  }

  #syncDirectory(): void {
    const fd = openSync(this.#dir, 'r')
    try {
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
  }

  #closeFd(canvasId: string): void {
    const fd = this.#fds.get(canvasId)
    if (fd === undefined) return
    this.#fds.delete(canvasId)
    closeSync(fd)
  }

  // -- reading ---------------------------------------------------------------------------------------------------

  #readRecords(canvasId: string): LogRecord[] {
    return decodeRecords(this.#readFile(canvasId)).records
  }

  /** The canvas's log file as it is on disk; empty when there is none. */
  #readFile(canvasId: string): Buffer {
    const path = this.#path(canvasId)
    // Most canvases loaded have no log (compacted when last unloaded): a stat that cannot throw, rather than a
    // failed open turned into an exception with a stack trace on every cold load.
    if (fileSize(path) === 0) return Buffer.alloc(0)
    try {
      return readFileSync(path)
    } catch (error) {
      if (isMissingFile(error)) return Buffer.alloc(0)
      throw error
    }
  }

  #readLog(canvasId: string): JournalEntry[] {
    return this.#readRecords(canvasId).map((record) => ({
      seq: record.seq,
      update: record.update,
      authorId: record.authorId,
      createdAt: new Date(record.createdAt),
    }))
  }

  #known(canvasId: string): CanvasLog {
    const log = this.#canvases.get(canvasId)
    if (log === undefined) throw new Error(`invariant violated: canvas ${canvasId} was not discovered`)
    return log
  }

  /** Whether this store tracks every canvas of `entries`; allocates nothing, as it runs for every edit. */
  #tracksAll(entries: readonly JournalAppend[]): boolean {
    for (const { canvasId } of entries) if (!this.#canvases.has(canvasId)) return false
    return true
  }

  /** Learns the seqs of canvases this store has not seen since it opened (one SQL query for all of them). */
  async #discover(canvasIds: readonly string[]): Promise<void> {
    const unknown = [...new Set(canvasIds)].filter((canvasId) => !this.#canvases.has(canvasId))
    if (unknown.length === 0) return
    const stored = await this.#states.seqs(unknown)
    for (const canvasId of unknown) {
      // A concurrent call may have discovered it meanwhile, and appended since: keep what it learned.
      if (this.#canvases.has(canvasId)) continue
      const seqs = stored.get(canvasId)
      const stateSeq = seqs?.stateSeq ?? 0
      const lastSeq = Math.max(seqs?.lastSeq ?? 0, stateSeq)
      this.#canvases.set(canvasId, { lastSeq, stateSeq, entries: 0, bytes: 0, size: 0, marks: [] })
      this.#resync(canvasId)
    }
  }

  /** Re-reads a canvas's file into what this store knows of it (open, discovery, a foreign write). */
  #resync(canvasId: string): void {
    const log = this.#known(canvasId)
    const records = this.#readRecords(canvasId)
    log.entries = records.length
    log.bytes = records.reduce((sum, record) => sum + record.update.length, 0)
    log.lastSeq = records.reduce((max, record) => Math.max(max, record.seq), log.lastSeq)
    log.size = fileSize(this.#path(canvasId))
    log.marks = []
  }

  // -- opening ---------------------------------------------------------------------------------------------------

  async #recover(): Promise<void> {
    const canvasIds: string[] = []
    for (const name of readdirSync(this.#dir)) {
      if (name.endsWith('.log.tmp')) {
        // A compaction rewrite that never got renamed: the original log is intact.
        rmSync(join(this.#dir, name), { force: true })
        continue
      }
      const match = LOG_FILE.exec(name)
      if (match?.[1] === undefined) continue
      const canvasId = match[1]
      const path = this.#path(canvasId)
      const data = readFileSync(path)
      const { validLength } = decodeRecords(data)
      if (validLength < data.length) {
        this.#warn('journal log had a torn or corrupt tail (killed mid-write?); cut off', {
          canvasId,
          keptBytes: validLength,
          droppedBytes: data.length - validLength,
        })
        truncateSync(path, validLength)
      }
      canvasIds.push(canvasId)
    }
    await this.#discover(canvasIds)
    for (const canvasId of canvasIds) {
      // A crash between a compaction's commit and its log rewrite leaves covered entries behind.
      this.#dropThrough(canvasId, this.#known(canvasId).stateSeq)
    }
  }

  /** Moves journal rows the SQL document store wrote into the logs (a data directory from before this store). */
  async #adoptSqlJournal(): Promise<void> {
    const rows = await this.#states.journalRows()
    if (rows.size === 0) return
    await this.#discover([...rows.keys()])
    for (const [canvasId, entries] of rows) {
      // Rows an earlier open copied but crashed before dropping are already in the log; rows the state covers
      // are not needed.
      const inLog = this.#readRecords(canvasId).reduce((max, record) => Math.max(max, record.seq), 0)
      const covered = Math.max(inLog, this.#known(canvasId).stateSeq)
      const fresh = entries.filter((entry) => entry.seq > covered)
      if (fresh.length > 0) {
        const records = fresh.map((entry) => ({
          seq: entry.seq,
          createdAt: entry.createdAt.getTime(),
          authorId: entry.authorId,
          update: entry.update,
        }))
        const fd = this.#fd(canvasId)
        writeFully(fd, encodeRecords(records))
        fdatasyncSync(fd)
        this.#resync(canvasId)
      }
      await this.#states.dropJournalRows(canvasId, entries.at(-1)?.seq ?? 0)
    }
  }

  #path(canvasId: string): string {
    return join(this.#dir, `${canvasId}.log`)
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('the document store is closed')
  }
}

function writeFully(fd: number, data: Buffer): void {
  let offset = 0
  while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset)
}

function fileSize(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0
}

function isMissingFile(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT'
}
