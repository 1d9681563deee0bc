import { type Kysely, type Selectable, sql } from 'kysely'
import type { CanvasTemplatesTable, Database } from '../../schema/database.ts'
import { templateFromColumns } from '../history/templates.ts'
import {
  assertCursor,
  assertLimit,
  assertNewTemplate,
  assertUuid,
  isCanonicalUuid,
} from '../history/validate.ts'
import { createdAtCursor, pageOf } from '../paging/page.ts'
import type { NewTemplate, PageCursor, Template, TemplateStore } from '../ports.ts'

export interface SqlTemplateStoreOptions {
  /** Clock for created_at (tests inject one); default: the current time. */
  readonly now?: () => Date
}

/**
 * TemplateStore on PostgreSQL or PGlite (canvas_templates, migration 0004). created_at is written from our clock
 * (millisecond precision, like a JS Date), so a page cursor built from a returned row compares exactly.
 */
export class SqlTemplateStore implements TemplateStore {
  private readonly now: () => Date

  constructor(
    private readonly db: Kysely<Database>,
    options: SqlTemplateStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date())
  }

  async create(template: NewTemplate): Promise<Template> {
    assertNewTemplate(template)
    const row = await this.db
      .insertInto('canvas_templates')
      .values({
        organization_id: template.organizationId,
        name: template.name,
        description: template.description,
        category: template.category,
        thumbnail_url: template.thumbnailUrl,
        is_public: template.isPublic,
        blocks: JSON.stringify(template.blocks),
        required_fields: JSON.stringify(template.requiredFields),
        created_by: template.createdBy,
        created_at: this.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toTemplate(row)
  }

  async get(organizationId: string, templateId: string): Promise<Template | null> {
    assertUuid(organizationId, 'organization id')
    if (!isCanonicalUuid(templateId)) return null
    const row = await this.db
      .selectFrom('canvas_templates')
      .selectAll()
      .where('id', '=', templateId)
      .where((eb) => eb.or([eb('organization_id', '=', organizationId), eb('is_public', '=', true)]))
      .executeTakeFirst()
    return row === undefined ? null : toTemplate(row)
  }

  async list(
    organizationId: string,
    options: { category: string | null; after: PageCursor | null; limit: number },
  ): Promise<{ templates: Template[]; next: PageCursor | null }> {
    assertUuid(organizationId, 'organization id')
    assertLimit(options.limit)
    assertCursor(options.after)
    let query = this.db
      .selectFrom('canvas_templates')
      .selectAll()
      .where((eb) => eb.or([eb('organization_id', '=', organizationId), eb('is_public', '=', true)]))
    if (options.category !== null) query = query.where('category', '=', options.category)
    const after = options.after
    if (after !== null) {
      query = query.where((eb) =>
        eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(after.createdAt, after.id)),
      )
    }
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit + 1)
      .execute()
    const page = pageOf(rows, options.limit, toTemplate, createdAtCursor)
    return { templates: page.items, next: page.next }
  }

  async recordUse(templateId: string): Promise<void> {
    assertUuid(templateId, 'template id')
    await this.db
      .updateTable('canvas_templates')
      .set({ usage_count: sql<number>`usage_count + 1` })
      .where('id', '=', templateId)
      .execute()
  }

  async close(): Promise<void> {
    // The Kysely handle belongs to the caller.
  }
}

function toTemplate(row: Selectable<CanvasTemplatesTable>): Template {
  return templateFromColumns(row)
}
