import { randomUUID } from 'node:crypto'
import type { Collection, Filter, MongoClient } from 'mongodb'
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
import { CANVAS_TEMPLATES, ensureHistoryIndexes, type TemplateDocument } from './history-collections.ts'

export interface MongoTemplateStoreOptions {
  /** Clock for created_at (tests inject one); default: the current time. */
  readonly now?: () => Date
}

/** TemplateStore on MongoDB (`canvas_templates`, data model 5.3.2). Ids are UUID strings, as in SQL. */
export class MongoTemplateStore implements TemplateStore {
  private readonly templates: Collection<TemplateDocument>
  private readonly now: () => Date

  constructor(
    private readonly client: MongoClient,
    private readonly dbName: string,
    options: MongoTemplateStoreOptions = {},
  ) {
    this.templates = client.db(dbName).collection<TemplateDocument>(CANVAS_TEMPLATES)
    this.now = options.now ?? (() => new Date())
  }

  async ensureIndexes(): Promise<void> {
    await ensureHistoryIndexes(this.client.db(this.dbName))
  }

  async create(template: NewTemplate): Promise<Template> {
    assertNewTemplate(template)
    const document: TemplateDocument = {
      _id: randomUUID(),
      organization_id: template.organizationId,
      name: template.name,
      description: template.description,
      category: template.category,
      thumbnail_url: template.thumbnailUrl,
      is_public: template.isPublic,
      usage_count: 0,
      blocks: template.blocks.map((block) => ({ ...block })),
      required_fields: [...template.requiredFields],
      created_by: template.createdBy,
      created_at: this.now(),
    }
    await this.templates.insertOne(document)
    return toTemplate(document)
  }

  async get(organizationId: string, templateId: string): Promise<Template | null> {
    assertUuid(organizationId, 'organization id')
    if (!isCanonicalUuid(templateId)) return null
    const row = await this.templates.findOne({ _id: templateId, ...visibleTo(organizationId) })
    return row === null ? null : toTemplate(row)
  }

  async list(
    organizationId: string,
    options: { category: string | null; after: PageCursor | null; limit: number },
  ): Promise<{ templates: Template[]; next: PageCursor | null }> {
    assertUuid(organizationId, 'organization id')
    assertLimit(options.limit)
    assertCursor(options.after)
    const clauses: Filter<TemplateDocument>[] = [visibleTo(organizationId)]
    if (options.category !== null) clauses.push({ category: options.category })
    const after = options.after
    if (after !== null) {
      clauses.push({
        $or: [
          { created_at: { $lt: after.createdAt } },
          { created_at: after.createdAt, _id: { $lt: after.id } },
        ],
      })
    }
    const rows = await this.templates
      .find({ $and: clauses }, { sort: { created_at: -1, _id: -1 }, limit: options.limit + 1 })
      .toArray()
    const page = pageOf(rows, options.limit, toTemplate, createdAtCursor)
    return { templates: page.items, next: page.next }
  }

  async recordUse(templateId: string): Promise<void> {
    assertUuid(templateId, 'template id')
    await this.templates.updateOne({ _id: templateId }, { $inc: { usage_count: 1 } })
  }

  async close(): Promise<void> {
    // The MongoClient belongs to the caller.
  }
}

function visibleTo(organizationId: string): Filter<TemplateDocument> {
  return { $or: [{ organization_id: organizationId }, { is_public: true }] }
}

function toTemplate(row: TemplateDocument): Template {
  return templateFromColumns({ ...row, id: row._id })
}
