import { type Kysely, sql } from 'kysely'
import type { Database } from '../../schema/database.ts'
import { assertCanvasId } from '../document-arguments.ts'
import type { CompactionResult, JournalEntry } from '../ports.ts'
import { BatchedReads } from './batched-reads.ts'
import { toNonNegativeInteger, toPlainBytes } from './bytes.ts'

export interface StoredState {
  readonly state: Uint8Array | null
  readonly stateSeq: number
}

const NO_STATE: StoredState = { state: null, stateSeq: 0 }

export interface StoredSeqs {
  readonly stateSeq: number
  readonly lastSeq: number
}

/**
 * The compacted-state half of canvas_documents (migration 0002) for a store that keeps its journal elsewhere (the
 * local log of persistence/log/). Never touches canvas_journal except to hand over rows written by the SQL store.
 */
export class SqlDocumentStates {
  /** A connect storm's cold loads read their states together (one query per turn of the event loop). */
  private readonly states = new BatchedReads<StoredState>((ids) => this.readMany(ids), NO_STATE)

  constructor(private readonly db: Kysely<Database>) {}

  async read(canvasId: string): Promise<StoredState> {
    // Checked here: one malformed id would fail the query of every read batched with it.
    assertCanvasId(canvasId)
    return this.states.read(canvasId)
  }

  private async readMany(canvasIds: readonly string[]): Promise<Map<string, StoredState>> {
    const rows = await sql<{ canvas_id: string; state: Uint8Array | null; state_seq: unknown }>`
      SELECT canvas_id, state, state_seq FROM canvas_documents
      WHERE canvas_id = ANY(${[...canvasIds]}::uuid[])`.execute(this.db)
    const states = new Map<string, StoredState>()
    for (const row of rows.rows) {
      states.set(row.canvas_id, {
        state: row.state === null ? null : toPlainBytes(row.state, 'document state'),
        stateSeq: toNonNegativeInteger(row.state_seq, 'state_seq'),
      })
    }
    return states
  }

  /** state_seq and last_seq of each canvas that has a row (one query). */
  async seqs(canvasIds: readonly string[]): Promise<Map<string, StoredSeqs>> {
    const seqs = new Map<string, StoredSeqs>()
    if (canvasIds.length === 0) return seqs
    const rows = await sql<{ canvas_id: string; state_seq: unknown; last_seq: unknown }>`
      SELECT canvas_id, state_seq, last_seq FROM canvas_documents
      WHERE canvas_id = ANY(${[...canvasIds]}::uuid[])`.execute(this.db)
    for (const row of rows.rows) {
      seqs.set(row.canvas_id, {
        stateSeq: toNonNegativeInteger(row.state_seq, 'state_seq'),
        lastSeq: toNonNegativeInteger(row.last_seq, 'last_seq'),
      })
    }
    return seqs
  }

  /**
   * Stores `state` as covering seqs <= upToSeq, only if the stored state covers less (one statement, so two
   * compactors of one canvas cannot overwrite a newer state with an older one).
   */
  async write(canvasId: string, state: Uint8Array, upToSeq: number): Promise<CompactionResult> {
    // A canvas without a row has stateSeq 0, which a state up to seq 0 does not exceed.
    if (upToSeq === 0) return { written: false, stateSeq: (await this.read(canvasId)).stateSeq }
    const written = await sql<{ state_seq: unknown }>`
      INSERT INTO canvas_documents AS d (canvas_id, state, state_seq, last_seq)
      VALUES (${canvasId}::uuid, ${state}::bytea, ${upToSeq}, ${upToSeq})
      ON CONFLICT (canvas_id) DO UPDATE
        SET state = excluded.state, state_seq = excluded.state_seq,
            last_seq = greatest(d.last_seq, excluded.state_seq), updated_at = now()
        WHERE d.state_seq < excluded.state_seq
      RETURNING d.state_seq`.execute(this.db)
    if (written.rows.length > 0) return { written: true, stateSeq: upToSeq }
    return { written: false, stateSeq: (await this.read(canvasId)).stateSeq }
  }

  async delete(canvasId: string): Promise<void> {
    await this.db.deleteFrom('canvas_documents').where('canvas_id', '=', canvasId).execute()
  }

  /**
   * Journal rows the SQL store wrote (a data directory from before the local log), oldest first per canvas. The
   * caller copies them into its log and then calls dropJournalRows, so a crash in between only copies them again.
   */
  async journalRows(): Promise<Map<string, JournalEntry[]>> {
    const rows = await this.db
      .selectFrom('canvas_journal')
      .select(['canvas_id', 'seq', 'update', 'author_id', 'created_at'])
      .orderBy('canvas_id')
      .orderBy('seq')
      .execute()
    const byCanvas = new Map<string, JournalEntry[]>()
    for (const row of rows) {
      const entries = byCanvas.get(row.canvas_id) ?? []
      entries.push({
        seq: toNonNegativeInteger(row.seq, 'seq'),
        update: toPlainBytes(row.update, 'journal update'),
        authorId: row.author_id,
        createdAt: row.created_at,
      })
      byCanvas.set(row.canvas_id, entries)
    }
    return byCanvas
  }

  async dropJournalRows(canvasId: string, upToSeq: number): Promise<void> {
    await this.db
      .deleteFrom('canvas_journal')
      .where('canvas_id', '=', canvasId)
      .where('seq', '<=', upToSeq)
      .execute()
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db)
  }
}
