import type { Collection, Db, MongoClient, WithId } from 'mongodb'
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
import { fromBinary, toBinary } from './binary.ts'
import {
  CANVAS_VERSIONS,
  CANVASES,
  ensureHistoryIndexes,
  isDuplicateKey,
  type MaterializedCanvasFields,
  type VersionDocument,
  type VersionHistoryEntry,
} from './history-collections.ts'
import { inTransaction } from './transaction.ts'

/** `canvases.metadata.version_history` keeps the newest entries only; the versions collection has them all. */
export const MAX_VERSION_HISTORY_ENTRIES = 100

/** Every field but the Yjs data: listings never read it. */
const INFO_PROJECTION = { data: 0 } as const

/**
 * VersionStore on MongoDB: versions in `canvas_versions` (unique {canvas_id, version}), the newest version's
 * canvas materialized in the data model's `canvases` document (version, name, description, layout, blocks,
 * metadata.tags, metadata.version_history) beside the Yjs state the document store keeps there.
 *
 * REQUIRES A REPLICA SET: append and prune run in multi-document transactions. An append that loses the race for
 * a number fails on the unique index (E11000), which aborts its transaction: it reports `conflict` and changed
 * nothing. Its write to the canvas document can also conflict with a journal append of the same canvas (both write
 * that document); the driver retries such transient conflicts.
 */
export class MongoVersionStore implements VersionStore {
  private readonly db: Db
  private readonly versions: Collection<VersionDocument>
  private readonly canvases: Collection<MaterializedCanvasFields>

  constructor(
    private readonly client: MongoClient,
    dbName: string,
  ) {
    this.db = client.db(dbName)
    this.versions = this.db.collection<VersionDocument>(CANVAS_VERSIONS)
    this.canvases = this.db.collection<MaterializedCanvasFields>(CANVASES)
  }

  async ensureIndexes(): Promise<void> {
    await ensureHistoryIndexes(this.db)
  }

  async append(version: NewVersion): Promise<AppendVersionResult> {
    assertNewVersion(version)
    const document: VersionDocument = {
      _id: `${version.canvasId}:${version.version}`,
      canvas_id: version.canvasId,
      version: version.version,
      parent_version: version.parentVersion,
      branch: version.branch,
      kind: version.kind,
      keyframe_version: version.keyframeVersion,
      authors: [...version.authors],
      author: version.authors[0] ?? null,
      label: version.label,
      trigger: version.trigger,
      changes: [...version.summary.changes],
      counts: { ...version.summary.counts },
      data: toBinary(version.data),
      data_bytes: version.data.byteLength,
      state_vector: toBinary(version.stateVector),
      timestamp: version.createdAt,
    }
    const entry: VersionHistoryEntry = {
      version: version.version,
      changes: { ...version.summary.counts },
      label: version.label,
      changed_by: version.authors[0] ?? null,
      changed_at: version.createdAt,
    }
    try {
      await inTransaction(this.client, async (session) => {
        await this.versions.insertOne(document, { session })
        const current = await this.canvases.findOne(
          { _id: version.canvasId },
          { projection: { version: 1 }, session },
        )
        // The materialized canvas only moves forward.
        if ((current?.version ?? 0) >= version.version) return
        await this.canvases.updateOne(
          { _id: version.canvasId },
          {
            $set: {
              version: version.version,
              name: version.canvas.name,
              description: version.canvas.description,
              layout: { ...version.canvas.layout },
              blocks: version.canvas.blocks.map((block) => ({ ...block })),
              'metadata.tags': [...version.canvas.tags],
              'metadata.updated_at': version.createdAt,
            },
            $push: {
              'metadata.version_history': { $each: [entry], $slice: -MAX_VERSION_HISTORY_ENTRIES },
            },
          },
          { upsert: true, session },
        )
      })
    } catch (error) {
      if (isDuplicateKey(error)) return { kind: 'conflict' }
      throw error
    }
    const info = await this.get(version.canvasId, version.version)
    if (info === null)
      throw new Error(`invariant violated: version ${version.version} vanished after its append`)
    return { kind: 'created', info }
  }

  async latest(canvasId: string): Promise<VersionInfo | null> {
    assertUuid(canvasId, 'canvas id')
    const row = await this.versions.findOne(
      { canvas_id: canvasId },
      { projection: INFO_PROJECTION, sort: { version: -1 } },
    )
    return row === null ? null : toInfo(row)
  }

  async get(canvasId: string, version: number): Promise<VersionInfo | null> {
    assertUuid(canvasId, 'canvas id')
    assertPositiveVersion(version, 'version')
    const row = await this.versions.findOne({ canvas_id: canvasId, version }, { projection: INFO_PROJECTION })
    return row === null ? null : toInfo(row)
  }

  async list(canvasId: string, options: { before: number | null; limit: number }): Promise<VersionPage> {
    assertUuid(canvasId, 'canvas id')
    assertLimit(options.limit)
    if (options.before !== null) assertPositiveVersion(options.before, 'before')
    const filter =
      options.before === null
        ? { canvas_id: canvasId }
        : { canvas_id: canvasId, version: { $lt: options.before } }
    const rows = await this.versions
      .find(filter, { projection: INFO_PROJECTION, sort: { version: -1 }, limit: options.limit + 1 })
      .toArray()
    const page = pageOf(rows, options.limit, toInfo, (last) => last.version)
    return { versions: page.items, nextBefore: page.next }
  }

  async readRange(canvasId: string, from: number, to: number): Promise<VersionData[]> {
    assertUuid(canvasId, 'canvas id')
    assertPositiveVersion(from, 'from')
    assertPositiveVersion(to, 'to')
    const rows = await this.versions
      .find({ canvas_id: canvasId, version: { $gte: from, $lte: to } }, { sort: { version: 1 } })
      .toArray()
    return rows.map(toData)
  }

  async readChain(canvasId: string, version: number): Promise<VersionData[] | null> {
    assertUuid(canvasId, 'canvas id')
    assertPositiveVersion(version, 'version')
    // Both reads in one snapshot: a concurrent prune cannot remove part of the chain in between.
    return inTransaction(this.client, async (session) => {
      const target = await this.versions.findOne(
        { canvas_id: canvasId, version },
        { projection: { keyframe_version: 1 }, session },
      )
      if (target === null) return null
      const from = toNonNegativeInteger(target.keyframe_version, 'keyframe_version')
      const rows = await this.versions
        .find(
          { canvas_id: canvasId, version: { $gte: from, $lte: version } },
          { sort: { version: 1 }, session },
        )
        .toArray()
      return completeChain(rows.map(toData), version)
    })
  }

  async materialized(canvasId: string): Promise<MaterializedCanvas | null> {
    assertUuid(canvasId, 'canvas id')
    const row = await this.canvases.findOne(
      { _id: canvasId },
      { projection: { version: 1, name: 1, description: 1, layout: 1, blocks: 1, metadata: 1 } },
    )
    if (row === null || row.version === undefined) return null
    return {
      version: toNonNegativeInteger(row.version, 'version'),
      canvas: parseCanvasJSON({
        name: row.name,
        description: row.description,
        tags: row.metadata?.tags,
        layout: row.layout,
        blocks: row.blocks,
      }),
      updatedAt: row.metadata?.updated_at ?? new Date(0),
    }
  }

  async prune(canvasId: string, cutoff: Date, options: { dryRun: boolean }): Promise<VersionPruneResult> {
    assertUuid(canvasId, 'canvas id')
    assertDate(cutoff, 'cutoff')
    return inTransaction(this.client, async (session) => {
      const rows = await this.versions
        .find(
          { canvas_id: canvasId },
          { projection: { version: 1, keyframe_version: 1, timestamp: 1 }, sort: { version: 1 }, session },
        )
        .toArray()
      const plan = planPrune(
        rows.map((row) => ({
          version: toNonNegativeInteger(row.version, 'version'),
          keyframeVersion: toNonNegativeInteger(row.keyframe_version, 'keyframe_version'),
          createdAt: row.timestamp,
        })),
        cutoff,
      )
      if (!options.dryRun && plan.deleted.length > 0) {
        const deleted = [...plan.deleted]
        await this.versions.deleteMany({ canvas_id: canvasId, version: { $in: deleted } }, { session })
        await this.canvases.updateOne(
          { _id: canvasId },
          { $pull: { 'metadata.version_history': { version: { $in: deleted } } } },
          { session },
        )
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
    const match =
      options.after === null
        ? { timestamp: { $lt: cutoff } }
        : { timestamp: { $lt: cutoff }, canvas_id: { $gt: options.after } }
    const rows = await this.versions
      .aggregate<{ _id: string }>([
        { $match: match },
        { $group: { _id: '$canvas_id' } },
        { $sort: { _id: 1 } },
        { $limit: options.limit },
      ])
      .toArray()
    return rows.map((row) => row._id)
  }

  async deleteCanvas(canvasId: string): Promise<number> {
    assertUuid(canvasId, 'canvas id')
    return inTransaction(this.client, async (session) => {
      const deleted = await this.versions.deleteMany({ canvas_id: canvasId }, { session })
      // Only the materialized fields: the Yjs state on the same document belongs to the document store.
      await this.canvases.updateOne(
        { _id: canvasId },
        { $unset: { version: '', name: '', description: '', layout: '', blocks: '', metadata: '' } },
        { session },
      )
      return deleted.deletedCount
    })
  }

  async close(): Promise<void> {
    // The MongoClient belongs to the caller.
  }
}

function toInfo(row: WithId<VersionDocument> | Omit<VersionDocument, 'data'>): VersionInfo {
  return {
    canvasId: row.canvas_id,
    version: toNonNegativeInteger(row.version, 'version'),
    parentVersion: toNonNegativeInteger(row.parent_version, 'parent_version'),
    branch: row.branch,
    authors: parseStringArray(row.authors, 'authors'),
    label: row.label,
    trigger: parseTrigger(row.trigger),
    summary: parseSummary({ changes: row.changes, counts: row.counts }),
    kind: parseKind(row.kind),
    keyframeVersion: toNonNegativeInteger(row.keyframe_version, 'keyframe_version'),
    stateVector: fromBinary(row.state_vector, 'state vector'),
    dataBytes: toNonNegativeInteger(row.data_bytes, 'data size'),
    createdAt: row.timestamp,
  }
}

function toData(row: WithId<VersionDocument>): VersionData {
  return { ...toInfo(row), data: fromBinary(row.data, 'version data') }
}
