import { type Kysely, sql } from 'kysely'

/**
 * Version history, templates and comments (issue 5). Like the document store (0002), these tables have no foreign
 * keys to the metadata tables: each is a separate port that MongoDB can hold instead, and retention purges every
 * side explicitly.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // The primary key (canvas_id, version) is what makes two writers unable to create the same version number.
  await db.schema
    .createTable('canvas_versions')
    .addColumn('canvas_id', 'uuid', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('parent_version', 'integer', (c) => c.notNull())
    .addColumn('branch', 'varchar(50)', (c) => c.notNull().defaultTo('main'))
    .addColumn('kind', 'varchar(10)', (c) => c.notNull())
    .addColumn('keyframe_version', 'integer', (c) => c.notNull())
    .addColumn('authors', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('label', 'varchar(255)')
    .addColumn('trigger', 'varchar(20)', (c) => c.notNull())
    .addColumn('summary', 'jsonb', (c) => c.notNull())
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addColumn('state_vector', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('canvas_versions_pkey', ['canvas_id', 'version'])
    .addCheckConstraint('canvas_versions_kind_check', sql`kind in ('keyframe', 'delta')`)
    .addCheckConstraint(
      'canvas_versions_numbers_check',
      sql`version >= 1 and parent_version = version - 1 and keyframe_version between 1 and version
        and ((kind = 'keyframe') = (keyframe_version = version))`,
    )
    .execute()
  await db.schema
    .createIndex('idx_canvas_versions_created')
    .on('canvas_versions')
    .columns(['created_at', 'canvas_id'])
    .execute()

  /** The newest version's canvas JSON (the SQL counterpart of the materialized MongoDB canvas document). */
  await db.schema
    .createTable('canvas_materialized')
    .addColumn('canvas_id', 'uuid', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('canvas', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('canvas_templates')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid')
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('category', 'varchar(100)')
    .addColumn('thumbnail_url', 'text')
    .addColumn('is_public', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('usage_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('blocks', 'jsonb', (c) => c.notNull())
    .addColumn('required_fields', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('canvas_templates_owner_check', sql`organization_id is not null or is_public`)
    .execute()
  await db.schema
    .createIndex('idx_canvas_templates_org_recent')
    .on('canvas_templates')
    .columns(['organization_id', 'created_at desc', 'id desc'])
    .execute()
  await db.schema
    .createIndex('idx_canvas_templates_public_recent')
    .on('canvas_templates')
    .columns(['created_at desc', 'id desc'])
    .where(sql.ref('is_public'), '=', true)
    .execute()

  await db.schema
    .createTable('canvas_comments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('canvas_id', 'uuid', (c) => c.notNull())
    .addColumn('author_id', 'uuid', (c) => c.notNull())
    .addColumn('block_id', 'varchar(128)')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'timestamptz')
    .addColumn('resolved_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .execute()
  await db.schema
    .createIndex('idx_canvas_comments_canvas_recent')
    .on('canvas_comments')
    .columns(['canvas_id', 'created_at', 'id'])
    .execute()
  await db.schema
    .createIndex('idx_canvas_comments_deleted')
    .on('canvas_comments')
    .column('deleted_at')
    .where(sql.ref('deleted_at'), 'is not', null)
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['canvas_comments', 'canvas_templates', 'canvas_materialized', 'canvas_versions']) {
    await db.schema.dropTable(table).execute()
  }
}
