import { type Kysely, type Selectable, sql } from 'kysely'
import type { CanvasVersionsTable, Database } from '../../schema/database.ts'
import { completeChain, planPrune } from '../history/chain.ts'
import {
  assertDate,
  assertLimit,
  assertNewVersion,
  assertPositiveVersion,
  assertUuid,
  parseCanvasJSON,
  parseKind,
  parseStringArray,
  parseSummary,
  parseTrigger,
  toNonNegativeInteger,
} from '../history/validate.ts'
import { pageOf } from '../paging/page.ts'
import type {
  AppendVersionResult,
  MaterializedCanvas,
  NewVersion,
  VersionData,
  VersionInfo,
  VersionPage,
  VersionPruneResult,
  VersionStore,
} from '../ports.ts'
import { toPlainBytes } from './bytes.ts'

/** Every column but `data`, plus its size: listings never read the Yjs bytes. */
const INFO_COLUMNS = [
  'canvas_id',
  'version',
  'parent_version',
  'branch',
  'kind',
  'keyframe_version',
  'authors',
  'label',
  'trigger',
  'summary',
  'state_vector',
  'created_at',
] as const

type InfoRow = Pick<Selectable<CanvasVersionsTable>, (typeof INFO_COLUMNS)[number]> & { data_bytes: unknown }

/**
 * VersionStore on PostgreSQL or PGlite (canvas_versions + canvas_materialized, migration 0004).
 *
 * Uniqueness: (canvas_id, version) is the primary key and append inserts with ON CONFLICT DO NOTHING, so of two
 * writers racing for one number the second waits for the first to commit and then inserts nothing: it gets a
 * `conflict`, never a duplicate. The materialized canvas is upserted in the same transaction and only ever moves
 * forward (a lower version never overwrites a higher one).
 */
export class SqlVersionStore implements VersionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async append(version: NewVersion): Promise<AppendVersionResult> {
    assertNewVersion(version)
    return this.db.transaction().execute(async (trx): Promise<AppendVersionResult> => {
      const inserted = await trx
        .insertInto('canvas_versions')
        .values({
          canvas_id: version.canvasId,
          version: version.version,
          parent_version: version.parentVersion,
          branch: version.branch,
          kind: version.kind,
          keyframe_version: version.keyframeVersion,
          authors: JSON.stringify(version.authors),
          label: version.label,
          trigger: version.trigger,
          summary: JSON.stringify(version.summary),
          data: version.data,
          state_vector: version.stateVector,
          created_at: version.createdAt,
        })
        .onConflict((conflict) => conflict.columns(['canvas_id', 'version']).doNothing())
        .returning([...INFO_COLUMNS, sql<number>`octet_length(data)`.as('data_bytes')])
        .executeTakeFirst()
      if (inserted === undefined) return { kind: 'conflict' }
      await trx
        .insertInto('canvas_materialized')
        .values({
          canvas_id: version.canvasId,
          version: version.version,
          canvas: JSON.stringify(version.canvas),
          updated_at: version.createdAt,
        })
        .onConflict((conflict) =>
          conflict
            .column('canvas_id')
            .doUpdateSet({
              version: sql<number>`excluded.version`,
              canvas: sql<string>`excluded.canvas`,
              updated_at: sql<Date>`excluded.updated_at`,
            })
            .where('canvas_materialized.version', '<', version.version),
        )
        .execute()
      return { kind: 'created', info: toInfo(inserted) }
    })
  }

  async latest(canvasId: string): Promise<VersionInfo | null> {
    assertUuid(canvasId, 'canvas id')
    const row = await this.selectInfo(canvasId).orderBy('version', 'desc').limit(1).executeTakeFirst()
    return row === undefined ? null : toInfo(row)
  }

  async get(canvasId: string, version: number): Promise<VersionInfo | null> {
    assertUuid(canvasId, 'canvas id')
    assertPositiveVersion(version, 'version')
    const row = await this.selectInfo(canvasId).where('version', '=', version).executeTakeFirst()
    return row === undefined ? null : toInfo(row)
  }

  async list(canvasId: string, options: { before: number | null; limit: number }): Promise<VersionPage> {
    assertUuid(canvasId, 'canvas id')
    assertLimit(options.limit)
    if (options.before !== null) assertPositiveVersion(options.before, 'before')
    let query = this.selectInfo(canvasId)
    if (options.before !== null) query = query.where('version', '<', options.before)
    // One extra row tells whether another page exists.
    const rows = await query
      .orderBy('version', 'desc')
      .limit(options.limit + 1)
      .execute()
    const page = pageOf(rows, options.limit, toInfo, (last) => last.version)
    return { versions: page.items, nextBefore: page.next }
  }

  async readRange(canvasId: string, from: number, to: number): Promise<VersionData[]> {
    assertUuid(canvasId, 'canvas id')
    assertPositiveVersion(from, 'from')
    assertPositiveVersion(to, 'to')
    const rows = await this.selectInfo(canvasId)
      .select('data')
      .where('version', '>=', from)
      .where('version', '<=', to)
      .orderBy('version')
      .execute()
    return rows.map((row) => ({ ...toInfo(row), data: toPlainBytes(row.data, 'version data') }))
  }

  async readChain(canvasId: string, version: number): Promise<VersionData[] | null> {
    assertUuid(canvasId, 'canvas id')
    assertPositiveVersion(version, 'version')
    // One statement, one snapshot: a concurrent prune cannot delete part of the chain between two reads.
    const rows = await this.selectInfo(canvasId)
      .select('data')
      .where('version', '<=', version)
      .where(
        'version',
        '>=',
        this.db
          .selectFrom('canvas_versions')
          .select('keyframe_version')
          .where('canvas_id', '=', canvasId)
          .where('version', '=', version),
      )
      .orderBy('version')
      .execute()
    return completeChain(
      rows.map((row) => ({ ...toInfo(row), data: toPlainBytes(row.data, 'version data') })),
      version,
    )
  }

  async materialized(canvasId: string): Promise<MaterializedCanvas | null> {
    assertUuid(canvasId, 'canvas id')
    const row = await this.db
      .selectFrom('canvas_materialized')
      .select(['version', 'canvas', 'updated_at'])
      .where('canvas_id', '=', canvasId)
      .executeTakeFirst()
    if (row === undefined) return null
    return {
      version: toNonNegativeInteger(row.version, 'version'),
      canvas: parseCanvasJSON(row.canvas),
      updatedAt: row.updated_at,
    }
  }

  async prune(canvasId: string, cutoff: Date, options: { dryRun: boolean }): Promise<VersionPruneResult> {
    assertUuid(canvasId, 'canvas id')
    assertDate(cutoff, 'cutoff')
    return this.db.transaction().execute(async (trx) => {
      // Locks the canvas's version rows: a concurrent append waits, so the plan below stays true until commit.
      const rows = await trx
        .selectFrom('canvas_versions')
        .select(['version', 'keyframe_version', 'created_at'])
        .where('canvas_id', '=', canvasId)
        .orderBy('version')
        .forUpdate()
        .execute()
      const plan = planPrune(
        rows.map((row) => ({
          version: toNonNegativeInteger(row.version, 'version'),
          keyframeVersion: toNonNegativeInteger(row.keyframe_version, 'keyframe_version'),
          createdAt: row.created_at,
        })),
        cutoff,
      )
      if (!options.dryRun && plan.deleted.length > 0) {
        await trx
          .deleteFrom('canvas_versions')
          .where('canvas_id', '=', canvasId)
          .where('version', 'in', plan.deleted)
          .execute()
      }
      return plan
    })
  }

  async canvasesWithVersionsBefore(
    cutoff: Date,
    options: { after: string | null; limit: number },
  ): Promise<string[]> {
    assertDate(cutoff, 'cutoff')
    assertLimit(options.limit)
    if (options.after !== null) assertUuid(options.after, 'after')
    let query = this.db
      .selectFrom('canvas_versions')
      .select('canvas_id')
      .distinct()
      .where('created_at', '<', cutoff)
    if (options.after !== null) query = query.where('canvas_id', '>', options.after)
    const rows = await query.orderBy('canvas_id').limit(options.limit).execute()
    return rows.map((row) => row.canvas_id)
  }

  async deleteCanvas(canvasId: string): Promise<number> {
    assertUuid(canvasId, 'canvas id')
    return this.db.transaction().execute(async (trx) => {
      const deleted = await trx
        .deleteFrom('canvas_versions')
        .where('canvas_id', '=', canvasId)
        .executeTakeFirst()
      await trx.deleteFrom('canvas_materialized').where('canvas_id', '=', canvasId).execute()
      return Number(deleted.numDeletedRows)
    })
  }

  async close(): Promise<void> {
    // The Kysely handle belongs to the caller.
  }

  private selectInfo(canvasId: string) {
    return this.db
      .selectFrom('canvas_versions')
      .select([...INFO_COLUMNS, sql<number>`octet_length(data)`.as('data_bytes')])
      .where('canvas_id', '=', canvasId)
  }
}

function toInfo(row: InfoRow): VersionInfo {
  return {
    canvasId: row.canvas_id,
    version: toNonNegativeInteger(row.version, 'version'),
    parentVersion: toNonNegativeInteger(row.parent_version, 'parent_version'),
    branch: row.branch,
    authors: parseStringArray(row.authors, 'authors'),
    label: row.label,
    trigger: parseTrigger(row.trigger),
    summary: parseSummary(row.summary),
    kind: parseKind(row.kind),
    keyframeVersion: toNonNegativeInteger(row.keyframe_version, 'keyframe_version'),
    stateVector: toPlainBytes(row.state_vector, 'state vector'),
    dataBytes: toNonNegativeInteger(row.data_bytes, 'data size'),
    createdAt: row.created_at,
  }
}
