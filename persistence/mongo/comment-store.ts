import { randomUUID } from 'node:crypto'
import type { Collection, Filter, MongoClient } from 'mongodb'
import {
  assertCursor,
  assertDate,
  assertLimit,
  assertNewComment,
  assertUuid,
  isCanonicalUuid,
} from '../history/validate.ts'
import { createdAtCursor, pageOf } from '../paging/page.ts'
import type { CanvasComment, CommentStore, NewComment, PageCursor } from '../ports.ts'
import {
  CANVAS_COMMENTS,
  CANVASES,
  type CommentDocument,
  ensureHistoryIndexes,
  type MaterializedCanvasFields,
} from './history-collections.ts'
import { inTransaction } from './transaction.ts'

export interface MongoCommentStoreOptions {
  /** Clock for created_at, resolved_at and deleted_at (tests inject one); default: the current time. */
  readonly now?: () => Date
}

/**
 * CommentStore on MongoDB (`canvas_comments`, index {canvas_id, created_at}). Creating and deleting a comment also
 * moves the data model's `canvases.interactions.comments_count` in the same transaction (needs a replica set);
 * count() itself counts the comments, so it stays right even for canvases written before the counter existed.
 */
export class MongoCommentStore implements CommentStore {
  private readonly comments: Collection<CommentDocument>
  private readonly canvases: Collection<MaterializedCanvasFields>
  private readonly now: () => Date

  constructor(
    private readonly client: MongoClient,
    private readonly dbName: string,
    options: MongoCommentStoreOptions = {},
  ) {
    const db = client.db(dbName)
    this.comments = db.collection<CommentDocument>(CANVAS_COMMENTS)
    this.canvases = db.collection<MaterializedCanvasFields>(CANVASES)
    this.now = options.now ?? (() => new Date())
  }

  async ensureIndexes(): Promise<void> {
    await ensureHistoryIndexes(this.client.db(this.dbName))
  }

  async create(comment: NewComment): Promise<CanvasComment> {
    assertNewComment(comment)
    const document: CommentDocument = {
      _id: randomUUID(),
      canvas_id: comment.canvasId,
      author_id: comment.authorId,
      block_id: comment.blockId,
      body: comment.body,
      resolved_at: null,
      resolved_by: null,
      created_at: this.now(),
      deleted_at: null,
    }
    await inTransaction(this.client, async (session) => {
      await this.comments.insertOne({ ...document }, { session })
      await this.canvases.updateOne(
        { _id: comment.canvasId },
        { $inc: { 'interactions.comments_count': 1 } },
        { upsert: true, session },
      )
    })
    return toComment(document)
  }

  async get(canvasId: string, commentId: string): Promise<CanvasComment | null> {
    assertUuid(canvasId, 'canvas id')
    if (!isCanonicalUuid(commentId)) return null
    const row = await this.comments.findOne({ _id: commentId, canvas_id: canvasId, deleted_at: null })
    return row === null ? null : toComment(row)
  }

  async list(
    canvasId: string,
    options: { blockId: string | null; includeResolved: boolean; after: PageCursor | null; limit: number },
  ): Promise<{ comments: CanvasComment[]; next: PageCursor | null }> {
    assertUuid(canvasId, 'canvas id')
    assertLimit(options.limit)
    assertCursor(options.after)
    const clauses: Filter<CommentDocument>[] = [{ canvas_id: canvasId, deleted_at: null }]
    if (options.blockId !== null) clauses.push({ block_id: options.blockId })
    if (!options.includeResolved) clauses.push({ resolved_at: null })
    const after = options.after
    if (after !== null) {
      clauses.push({
        $or: [
          { created_at: { $gt: after.createdAt } },
          { created_at: after.createdAt, _id: { $gt: after.id } },
        ],
      })
    }
    const rows = await this.comments
      .find({ $and: clauses }, { sort: { created_at: 1, _id: 1 }, limit: options.limit + 1 })
      .toArray()
    const page = pageOf(rows, options.limit, toComment, createdAtCursor)
    return { comments: page.items, next: page.next }
  }

  async resolve(canvasId: string, commentId: string, userId: string): Promise<CanvasComment | null> {
    assertUuid(canvasId, 'canvas id')
    assertUuid(userId, 'user id')
    if (!isCanonicalUuid(commentId)) return null
    // Only an unresolved comment is written: the first resolution (who and when) is the one kept.
    await this.comments.updateOne(
      { _id: commentId, canvas_id: canvasId, deleted_at: null, resolved_at: null },
      { $set: { resolved_at: this.now(), resolved_by: userId } },
    )
    return this.get(canvasId, commentId)
  }

  async delete(canvasId: string, commentId: string): Promise<boolean> {
    assertUuid(canvasId, 'canvas id')
    if (!isCanonicalUuid(commentId)) return false
    return inTransaction(this.client, async (session) => {
      const result = await this.comments.updateOne(
        { _id: commentId, canvas_id: canvasId, deleted_at: null },
        { $set: { deleted_at: this.now() } },
        { session },
      )
      if (result.modifiedCount !== 1) return false
      await this.canvases.updateOne(
        { _id: canvasId },
        { $inc: { 'interactions.comments_count': -1 } },
        { upsert: true, session },
      )
      return true
    })
  }

  async count(canvasId: string): Promise<number> {
    assertUuid(canvasId, 'canvas id')
    return this.comments.countDocuments({ canvas_id: canvasId, deleted_at: null })
  }

  async purgeDeleted(cutoff: Date, options: { dryRun: boolean }): Promise<number> {
    assertDate(cutoff, 'cutoff')
    const filter = { deleted_at: { $lt: cutoff } }
    if (options.dryRun) return this.comments.countDocuments(filter)
    const result = await this.comments.deleteMany(filter)
    return result.deletedCount
  }

  async deleteCanvas(canvasId: string): Promise<number> {
    assertUuid(canvasId, 'canvas id')
    return inTransaction(this.client, async (session) => {
      const result = await this.comments.deleteMany({ canvas_id: canvasId }, { session })
      await this.canvases.updateOne(
        { _id: canvasId },
        { $unset: { 'interactions.comments_count': '' } },
        { session },
      )
      return result.deletedCount
    })
  }

  async close(): Promise<void> {
    // The MongoClient belongs to the caller.
  }
}

function toComment(row: CommentDocument): CanvasComment {
  return {
    id: row._id,
    canvasId: row.canvas_id,
    authorId: row.author_id,
    body: row.body,
    blockId: row.block_id,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
    createdAt: row.created_at,
  }
}
