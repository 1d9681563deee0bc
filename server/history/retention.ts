import type { CommentStore, DocumentStore, VersionStore } from '../../persistence/ports.ts'
import type { DeletedCanvas, DeletedCanvasStore } from '../../persistence/sql/deleted-canvases.ts'
import type { RetentionConfig } from '../config.ts'

const DAY_MS = 86_400_000
/** Canvases handled per store query while scanning. */
const PAGE = 200

export interface RetentionDeps {
  readonly versions: VersionStore
  readonly comments: CommentStore
  readonly documents: DocumentStore
  readonly deletedCanvases: DeletedCanvasStore
}

export interface RetentionCutoffs {
  /** Versions created before this are pruned (keeping what kept versions need). */
  readonly versions: Date
  /** Canvases soft-deleted before this are purged entirely. */
  readonly deletedCanvases: Date
  /** Comments soft-deleted before this are purged. */
  readonly deletedComments: Date
}

export interface PurgedCanvas {
  readonly id: string
  readonly name: string
  readonly deletedAt: string
  /** Versions and comments removed with it (0 on a dry run: nothing is counted twice or touched). */
  readonly versions: number
  readonly comments: number
}

export interface RetentionReport {
  readonly dryRun: boolean
  readonly cutoffs: {
    readonly versions: string
    readonly deletedCanvases: string
    readonly deletedComments: string
  }
  readonly canvases: readonly PurgedCanvas[]
  readonly versions: {
    readonly canvases: number
    /** Versions deleted (or to be, on a dry run). */
    readonly deleted: number
    /** Versions older than the cutoff kept because a kept version is rebuilt from them, or is the newest. */
    readonly keptForChains: number
  }
  readonly comments: { readonly purged: number }
}

export function cutoffsFor(policy: RetentionConfig, now: Date): RetentionCutoffs {
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS)
  return {
    versions: before(policy.versionDays),
    deletedCanvases: before(policy.deletedCanvasDays),
    deletedComments: before(policy.deletedCommentDays),
  }
}

/**
 * Applies the retention policy (data model 5.6.2). Order matters for crash safety: a purged canvas loses its
 * comments, versions and document before its metadata row, so an interrupted run leaves a row that the next run
 * purges again (every step is idempotent). With `dryRun` nothing is written; the report says what would go.
 */
export async function runRetention(
  deps: RetentionDeps,
  cutoffs: RetentionCutoffs,
  options: { readonly dryRun: boolean },
): Promise<RetentionReport> {
  const canvases = await purgeDeletedCanvases(deps, cutoffs.deletedCanvases, options.dryRun)
  const versions = await pruneVersions(deps.versions, cutoffs.versions, options.dryRun)
  const purgedComments = await deps.comments.purgeDeleted(cutoffs.deletedComments, { dryRun: options.dryRun })
  return {
    dryRun: options.dryRun,
    cutoffs: {
      versions: cutoffs.versions.toISOString(),
      deletedCanvases: cutoffs.deletedCanvases.toISOString(),
      deletedComments: cutoffs.deletedComments.toISOString(),
    },
    canvases,
    versions,
    comments: { purged: purgedComments },
  }
}

async function purgeDeletedCanvases(
  deps: RetentionDeps,
  cutoff: Date,
  dryRun: boolean,
): Promise<PurgedCanvas[]> {
  const purged: PurgedCanvas[] = []
  let after: string | null = null
  for (;;) {
    const page: DeletedCanvas[] = await deps.deletedCanvases.deletedBefore(cutoff, after, PAGE)
    for (const canvas of page) {
      const base = { id: canvas.id, name: canvas.name, deletedAt: canvas.deletedAt.toISOString() }
      if (dryRun) {
        purged.push({ ...base, versions: 0, comments: 0 })
        continue
      }
      const comments = await deps.comments.deleteCanvas(canvas.id)
      const versions = await deps.versions.deleteCanvas(canvas.id)
      await deps.documents.deleteDocument(canvas.id)
      // False only if the canvas was undeleted meanwhile: its history is gone, but its row (and access) stay.
      if (await deps.deletedCanvases.purge(canvas.id, cutoff)) purged.push({ ...base, versions, comments })
    }
    const last = page.at(-1)
    if (page.length < PAGE || last === undefined) return purged
    after = last.id
  }
}

async function pruneVersions(versions: VersionStore, cutoff: Date, dryRun: boolean) {
  let canvases = 0
  let deleted = 0
  let keptForChains = 0
  let after: string | null = null
  for (;;) {
    const page: string[] = await versions.canvasesWithVersionsBefore(cutoff, { after, limit: PAGE })
    for (const canvasId of page) {
      const result = await versions.prune(canvasId, cutoff, { dryRun })
      canvases++
      deleted += result.deleted.length
      keptForChains += result.keptOlder.length
    }
    const last = page.at(-1)
    if (page.length < PAGE || last === undefined) return { canvases, deleted, keptForChains }
    after = last
  }
}
