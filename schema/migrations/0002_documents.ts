import { type Kysely, sql } from 'kysely'

/**
 * SQL document store: compacted state + write-ahead journal per canvas. No foreign key to canvases: the document
 * store is a separate port (MongoDB can hold it instead), and retention purges both sides explicitly.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('canvas_documents')
    .addColumn('canvas_id', 'uuid', (c) => c.primaryKey())
    .addColumn('state', 'bytea')
    .addColumn('state_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('canvas_documents_seq_check', sql`state_seq <= last_seq`)
    .execute()

  await db.schema
    .createTable('canvas_journal')
    .addColumn('canvas_id', 'uuid', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('update', 'bytea', (c) => c.notNull())
    .addColumn('author_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('canvas_journal_pkey', ['canvas_id', 'seq'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('canvas_journal').execute()
  await db.schema.dropTable('canvas_documents').execute()
}
