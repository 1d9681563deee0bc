import type { Kysely, Selectable } from 'kysely'
import type { CanvasCommentsTable, Database } from '../../schema/database.ts'
import {
  assertCursor,
  assertDate,
  assertLimit,
  assertNewComment,
  assertUuid,
  isCanonicalUuid,
  toNonNegativeInteger,
} from '../history/validate.ts'
import { createdAtCursor, pageOf } from '../paging/page.ts'
import type { CanvasComment, CommentStore, NewComment, PageCursor } from '../ports.ts'

export interface SqlCommentStoreOptions {
  /** Clock for created_at, resolved_at and deleted_at (tests inject one); default: the current time. */
  readonly now?: () => Date
}

/**
 * CommentStore on PostgreSQL or PGlite (canvas_comments, migration 0004). Timestamps come from our clock with
 * millisecond precision, so page cursors built from returned rows compare exactly. Deleting sets deleted_at;
 * retention hard-deletes later.
 */
export class SqlCommentStore implements CommentStore {
  private readonly now: () => Date

  constructor(
    private readonly db: Kysely<Database>,
    options: SqlCommentStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date())
  }

  async create(comment: NewComment): Promise<CanvasComment> {
    assertNewComment(comment)
    const row = await this.db
      .insertInto('canvas_comments')
      .values({
        canvas_id: comment.canvasId,
        author_id: comment.authorId,
        body: comment.body,
        block_id: comment.blockId,
        created_at: this.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toComment(row)
  }

  async get(canvasId: string, commentId: string): Promise<CanvasComment | null> {
    assertUuid(canvasId, 'canvas id')
    if (!isCanonicalUuid(commentId)) return null
    const row = await this.live(canvasId).where('id', '=', commentId).executeTakeFirst()
    return row === undefined ? null : toComment(row)
  }

  async list(
    canvasId: string,
    options: { blockId: string | null; includeResolved: boolean; after: PageCursor | null; limit: number },
  ): Promise<{ comments: CanvasComment[]; next: PageCursor | null }> {
    assertUuid(canvasId, 'canvas id')
    assertLimit(options.limit)
    assertCursor(options.after)
    let query = this.live(canvasId)
    if (options.blockId !== null) query = query.where('block_id', '=', options.blockId)
    if (!options.includeResolved) query = query.where('resolved_at', 'is', null)
    const after = options.after
    if (after !== null) {
      query = query.where((eb) =>
        eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(after.createdAt, after.id)),
      )
    }
    const rows = await query
      .orderBy('created_at')
      .orderBy('id')
      .limit(options.limit + 1)
      .execute()
    const page = pageOf(rows, options.limit, toComment, createdAtCursor)
    return { comments: page.items, next: page.next }
  }

  async resolve(canvasId: string, commentId: string, userId: string): Promise<CanvasComment | null> {
    assertUuid(canvasId, 'canvas id')
    assertUuid(userId, 'user id')
    if (!isCanonicalUuid(commentId)) return null
    // Only an unresolved comment is written: the first resolution (who and when) is the one kept.
    await this.db
      .updateTable('canvas_comments')
      .set({ resolved_at: this.now(), resolved_by: userId })
      .where('canvas_id', '=', canvasId)
      .where('id', '=', commentId)
      .where('deleted_at', 'is', null)
      .where('resolved_at', 'is', null)
      .execute()
    return this.get(canvasId, commentId)
  }

  async delete(canvasId: string, commentId: string): Promise<boolean> {
    assertUuid(canvasId, 'canvas id')
    if (!isCanonicalUuid(commentId)) return false
    const result = await this.db
      .updateTable('canvas_comments')
      .set({ deleted_at: this.now() })
      .where('canvas_id', '=', canvasId)
      .where('id', '=', commentId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }

  async count(canvasId: string): Promise<number> {
    assertUuid(canvasId, 'canvas id')
    const row = await this.db
      .selectFrom('canvas_comments')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
      .where('canvas_id', '=', canvasId)
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow()
    return toNonNegativeInteger(row.n, 'comment count')
  }

  async purgeDeleted(cutoff: Date, options: { dryRun: boolean }): Promise<number> {
    assertDate(cutoff, 'cutoff')
    if (options.dryRun) {
      const row = await this.db
        .selectFrom('canvas_comments')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('deleted_at', '<', cutoff)
        .executeTakeFirstOrThrow()
      return toNonNegativeInteger(row.n, 'comment count')
    }
    const result = await this.db
      .deleteFrom('canvas_comments')
      .where('deleted_at', '<', cutoff)
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  async deleteCanvas(canvasId: string): Promise<number> {
    assertUuid(canvasId, 'canvas id')
    const result = await this.db
      .deleteFrom('canvas_comments')
      .where('canvas_id', '=', canvasId)
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  async close(): Promise<void> {
    // The Kysely handle belongs to the caller.
  }

  private live(canvasId: string) {
    return this.db
      .selectFrom('canvas_comments')
      .selectAll()
      .where('canvas_id', '=', canvasId)
      .where('deleted_at', 'is', null)
  }
}

function toComment(row: Selectable<CanvasCommentsTable>): CanvasComment {
  return {
    id: row.id,
    canvasId: row.canvas_id,
    authorId: row.author_id,
    body: row.body,
    blockId: row.block_id,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
    createdAt: row.created_at,
  }
}
