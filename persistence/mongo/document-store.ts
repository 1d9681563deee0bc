import { type ClientSession, type Collection, type Db, MongoClient } from 'mongodb'
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
import { fromBinary, toBinary } from './binary.ts'
import {
  CANVAS_JOURNAL,
  CANVASES,
  type CanvasDocument,
  ensureDocumentModelIndexes,
  type JournalDocument,
} from './collections.ts'
import { inTransaction } from './transaction.ts'
import { toNonNegativeInteger } from './validate.ts'

const EMPTY_DOCUMENT: StoredDocument = Object.freeze({ state: null, stateSeq: 0, journal: Object.freeze([]) })

export interface MongoDocumentStoreOptions {
  /** When true, close() closes the MongoClient. Default false: the caller owns it. */
  readonly ownsClient?: boolean
}

/**
 * DocumentStore on MongoDB: compacted state in `canvases` (ydoc_state, state_seq, last_seq), journal in
 * `canvas_journal` (unique {canvas_id, seq}).
 *
 * REQUIRES A REPLICA SET (or sharded cluster): every write and every load runs in a multi-document transaction,
 * which a standalone mongod refuses. A single-node replica set is enough for development.
 *
 * Ordering invariant: an append $inc's canvases.last_seq and inserts its journal entries in one transaction. A
 * second transaction touching the same canvas document before the first commits gets a WriteConflict and is
 * retried by withTransaction from scratch, so it can only allocate seqs after the first has committed: seq N+1
 * never becomes visible while N is uncommitted. compact() and deleteDocument() write the same document, so they
 * are serialised with appenders the same way.
 *
 * Canvas and author ids must be canonical lower-case UUIDs (checked before any I/O; TypeError otherwise).
 * Call ensureIndexes() once at start-up. The compacted state must fit a BSON document (16 MiB).
 */
export class MongoDocumentStore implements DocumentStore {
  readonly #client: MongoClient
  readonly #db: Db
  readonly #canvases: Collection<CanvasDocument>
  readonly #journal: Collection<JournalDocument>
  readonly #ownsClient: boolean

  constructor(client: MongoClient, dbName: string, options: MongoDocumentStoreOptions = {}) {
    this.#client = client
    this.#db = client.db(dbName)
    this.#canvases = this.#db.collection<CanvasDocument>(CANVASES)
    this.#journal = this.#db.collection<JournalDocument>(CANVAS_JOURNAL)
    this.#ownsClient = options.ownsClient ?? false
  }

  /** Creates the data model's collections and indexes (idempotent). */
  async ensureIndexes(): Promise<void> {
    await ensureDocumentModelIndexes(this.#db)
  }

  async appendJournal(entries: readonly JournalAppend[]): Promise<number[]> {
    if (entries.length === 0) return []
    assertJournalAppends(entries)
    const counts = new Map<string, number>()
    for (const entry of entries) counts.set(entry.canvasId, (counts.get(entry.canvasId) ?? 0) + 1)
    // Sorted so concurrent batches sharing canvases conflict on the same document first (fewer wasted retries).
    const canvasIds = [...counts.keys()].sort()
    return inTransaction(this.#client, async (session) => {
      const now = new Date()
      const nextSeq = new Map<string, number>()
      for (const canvasId of canvasIds) {
        const count = requireCount(counts, canvasId)
        const document = await this.#canvases.findOneAndUpdate(
          { _id: canvasId },
          { $inc: { last_seq: count }, $set: { updated_at: now } },
          { upsert: true, returnDocument: 'after', projection: { last_seq: 1 }, session },
        )
        if (document === null)
          throw new Error(`invariant violated: upsert of canvas ${canvasId} returned nothing`)
        nextSeq.set(canvasId, toNonNegativeInteger(document.last_seq, 'last_seq') - count + 1)
      }
      const seqs: number[] = []
      const rows = entries.map((entry): JournalDocument => {
        const seq = requireCount(nextSeq, entry.canvasId)
        nextSeq.set(entry.canvasId, seq + 1)
        seqs.push(seq)
        return {
          canvas_id: entry.canvasId,
          seq,
          update: toBinary(entry.update),
          author_id: entry.authorId,
          created_at: now,
        }
      })
      await this.#journal.insertMany(rows, { session, ordered: true })
      return seqs
    })
  }

  async loadDocument(canvasId: string): Promise<StoredDocument> {
    assertCanvasId(canvasId)
    // Both reads see one snapshot, so a compaction committing meanwhile cannot hide entries from this load.
    return inTransaction(this.#client, async (session) => {
      const document = await this.#canvases.findOne(
        { _id: canvasId },
        { projection: { ydoc_state: 1, state_seq: 1 }, session },
      )
      if (document === null) return EMPTY_DOCUMENT
      const stateSeq = toNonNegativeInteger(document.state_seq ?? 0, 'state_seq')
      const journal = await this.#findJournal(canvasId, stateSeq, session)
      const state = document.ydoc_state ?? null
      return { state: state === null ? null : fromBinary(state, 'ydoc_state'), stateSeq, journal }
    })
  }

  async readJournal(canvasId: string, afterSeq: number): Promise<JournalEntry[]> {
    assertCanvasId(canvasId)
    assertSeqArgument(afterSeq, 'afterSeq')
    // No snapshot needed: seqs commit in order, so the cursor returns a contiguous run. Entries a concurrent
    // compaction folded are gone: callers that see the first seq > afterSeq + 1 must reload the document.
    return this.#findJournal(canvasId, afterSeq, undefined)
  }

  async compact(canvasId: string, state: Uint8Array, upToSeq: number): Promise<CompactionResult> {
    assertCompaction(canvasId, state, upToSeq)
    return inTransaction(this.#client, async (session): Promise<CompactionResult> => {
      const document = await this.#canvases.findOne(
        { _id: canvasId },
        { projection: { state_seq: 1, last_seq: 1 }, session },
      )
      const stateSeq = toNonNegativeInteger(document?.state_seq ?? 0, 'state_seq')
      const lastSeq = toNonNegativeInteger(document?.last_seq ?? 0, 'last_seq')
      if (upToSeq > lastSeq) {
        throw new RangeError(
          `cannot compact canvas ${canvasId} up to seq ${upToSeq}: its journal ends at seq ${lastSeq}`,
        )
      }
      // A compactor that is behind (or equal) never overwrites a state that already covers more of the journal.
      if (upToSeq <= stateSeq) return { written: false, stateSeq }
      // The snapshot read above plus write-conflict detection already exclude a concurrent change of this
      // document; the filter repeats the checks so a weaker read concern could never make a behind write land.
      const updated = await this.#canvases.updateOne(
        { _id: canvasId, last_seq: { $gte: upToSeq }, state_seq: { $not: { $gte: upToSeq } } },
        { $set: { ydoc_state: toBinary(state), state_seq: upToSeq, updated_at: new Date() } },
        { session },
      )
      if (updated.matchedCount !== 1) {
        throw new Error(`invariant violated: canvas ${canvasId} changed inside its compaction transaction`)
      }
      await this.#journal.deleteMany({ canvas_id: canvasId, seq: { $lte: upToSeq } }, { session })
      return { written: true, stateSeq: upToSeq }
    })
  }

  async journalStats(canvasId: string): Promise<JournalStats> {
    assertCanvasId(canvasId)
    const [totals] = await this.#journal
      .aggregate<{ entries: unknown; bytes: unknown }>([
        { $match: { canvas_id: canvasId } },
        { $group: { _id: null, entries: { $sum: 1 }, bytes: { $sum: { $binarySize: '$update' } } } },
      ])
      .toArray()
    if (totals === undefined) return { entries: 0, bytes: 0 }
    return {
      entries: toNonNegativeInteger(totals.entries, 'entry count'),
      bytes: toNonNegativeInteger(totals.bytes, 'byte count'),
    }
  }

  /**
   * Hard delete (retention purge) of the whole canvas document, including any fields other modules keep on it,
   * and of its journal. A later append starts the canvas again at seq 1.
   */
  async deleteDocument(canvasId: string): Promise<void> {
    assertCanvasId(canvasId)
    await inTransaction(this.#client, async (session) => {
      await this.#canvases.deleteOne({ _id: canvasId }, { session })
      await this.#journal.deleteMany({ canvas_id: canvasId }, { session })
    })
  }

  async ping(): Promise<void> {
    await this.#db.command({ ping: 1 })
  }

  async close(): Promise<void> {
    if (this.#ownsClient) await this.#client.close()
  }

  async #findJournal(
    canvasId: string,
    afterSeq: number,
    session: ClientSession | undefined,
  ): Promise<JournalEntry[]> {
    const rows = await this.#journal
      .find({ canvas_id: canvasId, seq: { $gt: afterSeq } }, { sort: { seq: 1 }, session })
      .toArray()
    return rows.map((row) => ({
      seq: toNonNegativeInteger(row.seq, 'seq'),
      update: fromBinary(row.update, 'journal update'),
      authorId: row.author_id,
      createdAt: row.created_at,
    }))
  }
}

/** Connects a client this store owns (close() closes it) and ensures the data model's indexes. */
export async function connectMongoDocumentStore(url: string, dbName: string): Promise<MongoDocumentStore> {
  const client = new MongoClient(url)
  await client.connect()
  const store = new MongoDocumentStore(client, dbName, { ownsClient: true })
  try {
    await store.ensureIndexes()
  } catch (error) {
    await client.close().catch((closeError: unknown) => {
      throw new AggregateError(
        [error, closeError],
        'ensuring MongoDB indexes failed, then closing the client failed',
      )
    })
    throw error
  }
  return store
}

function requireCount(counts: ReadonlyMap<string, number>, canvasId: string): number {
  const count = counts.get(canvasId)
  if (count === undefined) throw new Error(`invariant violated: canvas ${canvasId} missing from the batch`)
  return count
}
