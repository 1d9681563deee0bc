import type { Context } from 'hono'
import { Hono } from 'hono'
import { stream } from 'hono/streaming'
import * as Y from 'yjs'
import { z } from 'zod'
import type { VersionInfo } from '../../persistence/ports.ts'
import { type CanvasJSON, summarizeCanvasChanges, toCanvasJSON } from '../../shared/canvas/index.ts'
import type { DiffResponse, ReplayLine, RestoreResponse, VersionDetail } from '../../shared/history-api.ts'
import { HistoryBusy, VersionNotFound } from '../history/service.ts'
import { HistoryGapError, replayVersions, versionState } from '../history/states.ts'
import { auditRequest, callerOf } from './audit-context.ts'
import { requireCanvasRole } from './canvas-access.ts'
import type { HttpDeps } from './deps.ts'
import type { AppEnv } from './env.ts'
import { ApiHttpError, notFound } from './errors.ts'
import type { HistoryDeps } from './history-deps.ts'
import { versionItem } from './history-views.ts'
import { readQuery } from './params.ts'
import { readJson } from './validate.ts'

/** Largest page of a version listing, and the default. */
const MAX_VERSIONS_PER_PAGE = 200
const DEFAULT_VERSIONS_PER_PAGE = 50
/** Versions one replay request may stream (each costs an apply and, with state=1, a JSON rendering). */
export const MAX_REPLAY_VERSIONS = 1000
const MAX_VERSION = 2 ** 31 - 1

const VersionNumber = z.coerce.number().int().min(1).max(MAX_VERSION)
/** Version 0 is the empty canvas before the first version: a diff may start there. */
const DiffEnd = z.coerce.number().int().min(0).max(MAX_VERSION)

const ListQuery = z.object({
  before: VersionNumber.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_VERSIONS_PER_PAGE).default(DEFAULT_VERSIONS_PER_PAGE),
})
const CreateBody = z.object({ label: z.string().trim().min(1).max(255).optional() })
const DiffQuery = z.object({ from: DiffEnd, to: DiffEnd })
const ReplayQuery = z
  .object({ from: VersionNumber, to: VersionNumber, state: z.enum(['0', '1']).default('0') })
  .refine((query) => query.from <= query.to, { message: 'from must not be after to', path: ['from'] })
  .refine((query) => query.to - query.from < MAX_REPLAY_VERSIONS, {
    message: `at most ${MAX_REPLAY_VERSIONS} versions per replay`,
    path: ['to'],
  })

/** `:version`; a malformed number is a 404 like an unknown one. */
function versionParam(c: Context<AppEnv>): number {
  const parsed = VersionNumber.safeParse(c.req.param('version'))
  if (!parsed.success) throw notFound('version')
  return parsed.data
}

/** Errors of the history layer as HTTP errors. */
function asHttpError(error: unknown): unknown {
  if (error instanceof VersionNotFound || error instanceof HistoryGapError) return notFound('version')
  if (error instanceof HistoryBusy) return new ApiHttpError(503, error.message)
  return error
}

async function mapErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw asHttpError(error)
  }
}

/**
 * Version history of a canvas. Viewers read it; editors create named versions and restore. No access at all is a
 * 404 (other organizations never learn a canvas exists).
 */
export function versionRoutes(deps: HttpDeps, history: HistoryDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  async function info(canvasId: string, version: number): Promise<VersionInfo> {
    const found = await history.versions.get(canvasId, version)
    if (found === null) throw notFound('version')
    return found
  }

  async function canvasAt(canvasId: string, version: number): Promise<CanvasJSON> {
    if (version === 0) return toCanvasJSON(new Y.Doc())
    return mapErrors(() => history.service.canvasAt(canvasId, version))
  }

  app.get('/canvases/:canvasId/versions', async (c) => {
    const access = await requireCanvasRole(deps, c, 'viewer')
    const query = readQuery(c, ListQuery)
    const page = await history.versions.list(access.canvas.id, {
      before: query.before ?? null,
      limit: query.limit,
    })
    return c.json({ versions: page.versions.map(versionItem), next_before: page.nextBefore })
  })

  app.post('/canvases/:canvasId/versions', async (c) => {
    const access = await requireCanvasRole(deps, c, 'editor')
    const body = await readJson(c, CreateBody)
    const created = await mapErrors(() =>
      history.service.createNamedVersion(access.canvas.id, body.label ?? null),
    )
    auditRequest(deps, c, callerOf(c), {
      action: 'canvas.version_create',
      resourceType: 'canvas',
      resourceId: access.canvas.id,
      changes: { version: created.version, label: created.label },
    })
    return c.json(versionItem(created), 201)
  })

  app.get('/canvases/:canvasId/versions/:version', async (c) => {
    const access = await requireCanvasRole(deps, c, 'viewer')
    const found = await info(access.canvas.id, versionParam(c))
    const document = await canvasAt(access.canvas.id, found.version)
    const detail: VersionDetail = { ...versionItem(found), changes: found.summary.changes, document }
    return c.json(detail)
  })

  /** The Yjs update that rebuilds the version (apply it to an empty Y.Doc). */
  app.get('/canvases/:canvasId/versions/:version/ydoc', async (c) => {
    const access = await requireCanvasRole(deps, c, 'viewer')
    const version = versionParam(c)
    const state = await versionState(history.versions, history.folder, access.canvas.id, version)
    if (state === null) throw notFound('version')
    return c.body(new Uint8Array(state).buffer, 200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="canvas-${access.canvas.id}-v${version}.ydoc"`,
    })
  })

  app.post('/canvases/:canvasId/versions/:version/restore', async (c) => {
    const access = await requireCanvasRole(deps, c, 'editor')
    const version = versionParam(c)
    const principal = c.get('principal')
    const result = await mapErrors(() => history.service.restore(access.canvas.id, version, principal.userId))
    auditRequest(deps, c, callerOf(c), {
      action: 'canvas.restore',
      resourceType: 'canvas',
      resourceId: access.canvas.id,
      changes: { restored_from: version, version: result.version.version, changed: result.changed },
    })
    const response: RestoreResponse = {
      version: versionItem(result.version),
      restored_from: result.restoredFrom,
      changed: result.changed,
    }
    return c.json(response)
  })

  /** What changed between any two versions (either order; 0 is the empty canvas). */
  app.get('/canvases/:canvasId/diff', async (c) => {
    const access = await requireCanvasRole(deps, c, 'viewer')
    const query = readQuery(c, DiffQuery)
    const [from, to] = await Promise.all([
      canvasAt(access.canvas.id, query.from),
      canvasAt(access.canvas.id, query.to),
    ])
    const summary = summarizeCanvasChanges(from, to)
    const response: DiffResponse = { from: query.from, to: query.to, ...summary }
    return c.json(response)
  })

  /**
   * NDJSON, one line per version from..to in order: the version, its changes since its parent and, with
   * `state=1`, the canvas at that version. Validated before streaming starts, so a bad range is a plain 400/404.
   */
  app.get('/canvases/:canvasId/replay', async (c) => {
    const access = await requireCanvasRole(deps, c, 'viewer')
    const query = readQuery(c, ReplayQuery)
    const canvasId = access.canvas.id
    const [first, last] = await Promise.all([
      history.versions.readChain(canvasId, query.from),
      history.versions.get(canvasId, query.to),
    ])
    if (first === null || last === null) throw notFound('version')
    const withState = query.state === '1'
    c.header('content-type', 'application/x-ndjson; charset=utf-8')
    c.header('cache-control', 'no-store')
    return stream(
      c,
      async (output) => {
        for await (const { info: step, doc } of replayVersions(
          history.versions,
          canvasId,
          query.from,
          query.to,
        )) {
          const line: ReplayLine = {
            ...versionItem(step),
            changes: step.summary.changes,
            ...(withState ? { document: toCanvasJSON(doc) } : {}),
          }
          await output.writeln(JSON.stringify(line))
          if (output.aborted) return
        }
      },
      async (error) => {
        // Headers are sent: the client sees a truncated stream (no final newline-terminated line for the rest).
        deps.log.error({ err: error, canvasId, from: query.from, to: query.to }, 'replay stream failed')
      },
    )
  })

  return app
}
