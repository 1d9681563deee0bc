import { type Kysely, sql, type Transaction } from 'kysely'
import type { Database } from '../../schema/database.ts'
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
import { toNonNegativeInteger, toPlainBytes } from './bytes.ts'

const EMPTY_DOCUMENT: StoredDocument = Object.freeze({ state: null, stateSeq: 0, journal: Object.freeze([]) })

export interface SqlDocumentStoreOptions {
  /** When true, close() destroys the Kysely handle (and its pool). Default false: the caller owns it. */
  readonly ownsDatabase?: boolean
}

/**
 * DocumentStore on PostgreSQL or PGlite (tables canvas_documents + canvas_journal, migration 0002).
 *
 * Ordering invariant: seqs of one canvas are allocated by incrementing canvas_documents.last_seq in the same
 * transaction that inserts the journal rows. The row lock taken by that update is held until commit, so a second
 * appender of the same canvas waits for the first to commit before it can even learn its seqs: seq N+1 can never
 * become visible while N is still uncommitted. compact() and deleteDocument() take the same row lock first.
 *
 * Canvas and author ids must be canonical lower-case UUIDs (checked before any I/O; TypeError otherwise).
 *
 * By default the store owns nothing: close() is a no-op and the caller destroys the Kysely handle it passed in.
 */
export class SqlDocumentStore implements DocumentStore {
  readonly #db: Kysely<Database>
  readonly #ownsDatabase: boolean

  constructor(db: Kysely<Database>, options: SqlDocumentStoreOptions = {}) {
    this.#db = db
    this.#ownsDatabase = options.ownsDatabase ?? false
  }

  async appendJournal(entries: readonly JournalAppend[]): Promise<number[]> {
    if (entries.length === 0) return []
    // Ordinal of each entry among its canvas's entries (1-based), in input order: the function hands each canvas
    // consecutive seqs in array order, starting at the first_seq it returns for that canvas.
    const seen = new Map<string, number>()
    const ordinals: number[] = []
    assertJournalAppends(entries)
    for (const entry of entries) {
      const ordinal = (seen.get(entry.canvasId) ?? 0) + 1
      seen.set(entry.canvasId, ordinal)
      ordinals.push(ordinal)
    }
    // Migration 0005 explains the function and its ordering invariant.
    const result = await sql<{ canvas_id: string; first_seq: number | string }>`
      SELECT canvas_id, first_seq FROM jabiru_append_journal(
        ${entries.map((entry) => entry.canvasId)}::uuid[],
        ${entries.map((entry) => entry.update)}::bytea[],
        ${entries.map((entry) => entry.authorId)}::uuid[])`.execute(this.#db)
    const firstSeq = new Map(result.rows.map((row) => [row.canvas_id, toSeq(row.first_seq)]))
    return entries.map((entry, i) => requireSeq(firstSeq, entry.canvasId) + (ordinals[i] ?? 1) - 1)
  }

  async loadDocument(canvasId: string): Promise<StoredDocument> {
    assertCanvasId(canvasId)
    // Both reads share one REPEATABLE READ snapshot: a compaction committing between them cannot delete journal
    // entries this load has not seen in the state it read.
    return this.#db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        const document = await trx
          .selectFrom('canvas_documents')
          .select(['state', 'state_seq'])
          .where('canvas_id', '=', canvasId)
          .executeTakeFirst()
        if (document === undefined) return EMPTY_DOCUMENT
        const stateSeq = toSeq(document.state_seq)
        const journal = await selectJournal(trx, canvasId, stateSeq)
        return {
          state: document.state === null ? null : toPlainBytes(document.state, 'document state'),
          stateSeq,
          journal,
        }
      })
  }

  async readJournal(canvasId: string, afterSeq: number): Promise<JournalEntry[]> {
    assertCanvasId(canvasId)
    assertSeqArgument(afterSeq, 'afterSeq')
    // One statement, one snapshot. Entries already folded by a compaction are gone: callers that see the first
    // returned seq > afterSeq + 1 must reload the document instead.
    return selectJournal(this.#db, canvasId, afterSeq)
  }

  async compact(canvasId: string, state: Uint8Array, upToSeq: number): Promise<CompactionResult> {
    assertCompaction(canvasId, state, upToSeq)
    return this.#db.transaction().execute(async (trx) => {
      // FOR UPDATE serialises with appenders (which update last_seq) and with other compactors of this canvas.
      const document = await trx
        .selectFrom('canvas_documents')
        .select(['state_seq', 'last_seq'])
        .where('canvas_id', '=', canvasId)
        .forUpdate()
        .executeTakeFirst()
      const stateSeq = document === undefined ? 0 : toSeq(document.state_seq)
      const lastSeq = document === undefined ? 0 : toSeq(document.last_seq)
      if (upToSeq > lastSeq) {
        throw new RangeError(
          `cannot compact canvas ${canvasId} up to seq ${upToSeq}: its journal ends at seq ${lastSeq}`,
        )
      }
      // A compactor that is behind (or equal) never overwrites a state that already covers more of the journal.
      if (upToSeq <= stateSeq) return { written: false, stateSeq }
      await trx
        .updateTable('canvas_documents')
        .set({ state, state_seq: upToSeq, updated_at: sql<Date>`now()` })
        .where('canvas_id', '=', canvasId)
        .execute()
      await trx
        .deleteFrom('canvas_journal')
        .where('canvas_id', '=', canvasId)
        .where('seq', '<=', upToSeq)
        .execute()
      return { written: true, stateSeq: upToSeq }
    })
  }

  async journalStats(canvasId: string): Promise<JournalStats> {
    assertCanvasId(canvasId)
    const row = await this.#db
      .selectFrom('canvas_journal')
      .select((eb) => [
        eb.fn.countAll<number | string | bigint>().as('entries'),
        sql<number | string | bigint>`coalesce(sum(octet_length(${sql.ref('update')})), 0)`.as('bytes'),
      ])
      .where('canvas_id', '=', canvasId)
      .executeTakeFirstOrThrow()
    return { entries: toCount(row.entries), bytes: toCount(row.bytes) }
  }

  async deleteDocument(canvasId: string): Promise<void> {
    assertCanvasId(canvasId)
    await this.#db.transaction().execute(async (trx) => {
      // Document row first: its lock orders this delete against appenders and compactors of the canvas.
      await trx.deleteFrom('canvas_documents').where('canvas_id', '=', canvasId).execute()
      await trx.deleteFrom('canvas_journal').where('canvas_id', '=', canvasId).execute()
    })
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.#db)
  }

  async close(): Promise<void> {
    if (this.#ownsDatabase) await this.#db.destroy()
  }
}

async function selectJournal(
  db: Kysely<Database> | Transaction<Database>,
  canvasId: string,
  afterSeq: number,
): Promise<JournalEntry[]> {
  const rows = await db
    .selectFrom('canvas_journal')
    .select(['seq', 'update', 'author_id', 'created_at'])
    .where('canvas_id', '=', canvasId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .execute()
  return rows.map((row) => ({
    seq: toSeq(row.seq),
    update: toPlainBytes(row.update, 'journal update'),
    authorId: row.author_id,
    createdAt: row.created_at,
  }))
}

function requireSeq(seqs: ReadonlyMap<string, number>, canvasId: string): number {
  const seq = seqs.get(canvasId)
  if (seq === undefined) throw new Error(`invariant violated: no seq allocated for canvas ${canvasId}`)
  return seq
}

function toSeq(value: unknown): number {
  return toNonNegativeInteger(value, 'seq')
}

function toCount(value: unknown): number {
  return toNonNegativeInteger(value, 'count')
}
