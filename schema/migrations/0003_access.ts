import { type Kysely, sql } from 'kysely'

/**
 * Canvas sharing: per-user grants on one canvas (`canvas_permissions`) and the secret token of a canvas's public
 * link. Grants cascade with their canvas and user; the public link token is unique so a link names one canvas.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('canvas_permissions')
    .addColumn('canvas_id', 'uuid', (c) => c.notNull().references('canvases.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'varchar(50)', (c) => c.notNull())
    .addColumn('granted_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('granted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('canvas_permissions_pkey', ['canvas_id', 'user_id'])
    .addCheckConstraint('canvas_permissions_role_check', sql`role in ('viewer', 'editor', 'admin')`)
    .execute()
  await db.schema
    .createIndex('idx_canvas_permissions_user')
    .on('canvas_permissions')
    .column('user_id')
    .execute()

  await db.schema
    .alterTable('canvases')
    .addColumn('public_link_token', 'varchar(64)', (c) => c.unique())
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('canvases').dropColumn('public_link_token').execute()
  await db.schema.dropTable('canvas_permissions').execute()
}
