import { type Kysely, sql } from 'kysely'

/**
 * Compacted canvas states are stored out of line without compression (STORAGE EXTERNAL instead of EXTENDED).
 *
 * Why: pglz gains little on Yjs state (a 200 KB fragmented state compresses to ~145 KB) and costs the most of a
 * state write. On embedded PGlite that CPU is the event loop's: writing a 200 KB state took 8 ms compressed and 4 ms
 * uncompressed (the bench's S7 profile: 17% of the core in one wasm function during compactions). Reads skip the
 * decompression too. Rows written before keep their compression until their next compaction rewrites them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE canvas_documents ALTER COLUMN state SET STORAGE EXTERNAL`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE canvas_documents ALTER COLUMN state SET STORAGE EXTENDED`.execute(db)
}
