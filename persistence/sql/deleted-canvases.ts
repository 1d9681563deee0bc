import type { Kysely } from 'kysely'
import type { Database } from '../../schema/database.ts'

export interface DeletedCanvas {
  readonly id: string
  readonly name: string
  readonly projectId: string
  readonly deletedAt: Date
}

/**
 * The metadata side of the retention purge of soft-deleted canvases (canvases.deleted_at). Metadata is always SQL;
 * the canvas's document, history and comments are purged through their own ports first.
 */
export class DeletedCanvasStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Canvases deleted before `cutoff`, by id, after `after`; at most `limit`. */
  async deletedBefore(cutoff: Date, after: string | null, limit: number): Promise<DeletedCanvas[]> {
    let query = this.db
      .selectFrom('canvases')
      .select(['id', 'name', 'project_id', 'deleted_at'])
      .where('deleted_at', '<', cutoff)
    if (after !== null) query = query.where('id', '>', after)
    const rows = await query.orderBy('id').limit(limit).execute()
    return rows.flatMap((row) =>
      row.deleted_at === null
        ? []
        : [{ id: row.id, name: row.name, projectId: row.project_id, deletedAt: row.deleted_at }],
    )
  }

  /**
   * Removes the canvas row (its grants cascade). Only a canvas still deleted before the cutoff: one restored
   * meanwhile (deleted_at cleared) is kept. Returns whether a row was removed.
   */
  async purge(canvasId: string, cutoff: Date): Promise<boolean> {
    const result = await this.db
      .deleteFrom('canvases')
      .where('id', '=', canvasId)
      .where('deleted_at', '<', cutoff)
      .executeTakeFirst()
    return Number(result.numDeletedRows) === 1
  }
}
