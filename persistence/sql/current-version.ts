import { type Kysely, sql } from 'kysely'
import type { Database } from '../../schema/database.ts'

/**
 * Advances canvases.current_version to `version`. Monotonic (GREATEST), so two instances recording versions out
 * of order can never move it back. The metadata row is SQL whichever store holds the versions.
 */
export async function recordCurrentVersion(
  db: Kysely<Database>,
  canvasId: string,
  version: number,
): Promise<void> {
  await db
    .updateTable('canvases')
    .set({ current_version: sql<number>`greatest(current_version, ${version})` })
    .where('id', '=', canvasId)
    .execute()
}
