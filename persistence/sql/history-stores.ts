import type { Kysely } from 'kysely'
import type { Database } from '../../schema/database.ts'
import type { CommentStore, TemplateStore, VersionStore } from '../ports.ts'
import { SqlCommentStore } from './comment-store.ts'
import { SqlTemplateStore } from './template-store.ts'
import { SqlVersionStore } from './version-store.ts'

/** The three history stores on one Kysely handle (PGlite or PostgreSQL); the caller owns the handle. */
export function sqlHistoryStores(db: Kysely<Database>): {
  versions: VersionStore
  templates: TemplateStore
  comments: CommentStore
  close(): Promise<void>
} {
  return {
    versions: new SqlVersionStore(db),
    templates: new SqlTemplateStore(db),
    comments: new SqlCommentStore(db),
    close: async () => undefined,
  }
}
