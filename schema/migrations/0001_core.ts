import { type Kysely, sql } from 'kysely'

/** Core tables of the data model (section 5.3.1) plus canvas metadata and the embedded session store. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('organizations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('slug', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('plan_type', 'varchar(50)', (c) => c.notNull().defaultTo('free'))
    .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('email', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('username', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('hashed_password', 'text')
    .addColumn('first_name', 'varchar(255)')
    .addColumn('last_name', 'varchar(255)')
    .addColumn('avatar_url', 'text')
    .addColumn('organization_id', 'uuid', (c) => c.references('organizations.id').onDelete('restrict'))
    .addColumn('role', 'varchar(50)', (c) => c.notNull().defaultTo('member'))
    .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('is_active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('last_login_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('users_role_check', sql`role in ('admin', 'member')`)
    .execute()
  await db.schema.createIndex('idx_users_org').on('users').column('organization_id').execute()

  await db.schema
    .createTable('projects')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('organization_id', 'uuid', (c) =>
      c.notNull().references('organizations.id').onDelete('restrict'),
    )
    .addColumn('owner_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('restrict'))
    .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('is_archived', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('idx_projects_org').on('projects').column('organization_id').execute()
  await db.schema
    .createIndex('idx_projects_org_active')
    .on('projects')
    .columns(['organization_id', 'is_archived'])
    .where(sql.ref('is_archived'), '=', false)
    .execute()

  await db.schema
    .createTable('project_members')
    .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'varchar(50)', (c) => c.notNull())
    .addColumn('permissions', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('invited_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('joined_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('project_members_pkey', ['project_id', 'user_id'])
    .addCheckConstraint('project_members_role_check', sql`role in ('viewer', 'editor', 'admin')`)
    .execute()
  await db.schema.createIndex('idx_project_members_user').on('project_members').column('user_id').execute()

  await db.schema
    .createTable('saved_queries')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('query_text', 'text', (c) => c.notNull())
    .addColumn('query_type', 'varchar(50)', (c) => c.notNull())
    .addColumn('parameters', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('is_public', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('saved_queries_type_check', sql`query_type in ('sql', 'python', 'natural_language')`)
    .execute()
  await db.schema.createIndex('idx_saved_queries_project').on('saved_queries').column('project_id').execute()

  // audit_logs keep user/organization ids without foreign keys: rows must outlive (7 years) the users they name.
  await db.schema
    .createTable('audit_logs')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid')
    .addColumn('organization_id', 'uuid')
    .addColumn('action', 'varchar(255)', (c) => c.notNull())
    .addColumn('resource_type', 'varchar(50)', (c) => c.notNull())
    .addColumn('resource_id', 'uuid')
    .addColumn('changes', 'jsonb')
    .addColumn('ip_address', sql`inet`)
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .createIndex('idx_audit_logs_user')
    .on('audit_logs')
    .columns(['user_id', 'created_at desc'])
    .execute()
  await db.schema
    .createIndex('idx_audit_user_action_time')
    .on('audit_logs')
    .columns(['user_id', 'action', 'created_at desc'])
    .execute()
  await db.schema
    .createIndex('idx_audit_logs_org_time')
    .on('audit_logs')
    .columns(['organization_id', 'created_at desc'])
    .execute()

  await db.schema
    .createTable('canvases')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('project_id', 'uuid', (c) => c.notNull().references('projects.id').onDelete('restrict'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('owner_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('restrict'))
    .addColumn('visibility', 'varchar(20)', (c) => c.notNull().defaultTo('private'))
    .addColumn('current_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .addCheckConstraint('canvases_visibility_check', sql`visibility in ('private', 'team', 'public')`)
    .addCheckConstraint('canvases_current_version_check', sql`current_version >= 0`)
    .execute()
  await db.schema
    .createIndex('idx_canvas_project_updated')
    .on('canvases')
    .columns(['project_id', 'updated_at desc'])
    .execute()

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'varchar(128)', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('organization_id', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('idx_sessions_user').on('sessions').column('user_id').execute()
  await db.schema.createIndex('idx_sessions_expires').on('sessions').column('expires_at').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'sessions',
    'canvases',
    'audit_logs',
    'saved_queries',
    'project_members',
    'projects',
    'users',
    'organizations',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
