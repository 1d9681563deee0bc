/**
 * Puts stored canvases in place before a server opens them (S5, S7): the peers get them as files
 * in their store (BENCH_STORE_DIR); Jabiru gets them through its own protocol, written by a client,
 * so they end up in its journal/document store exactly as real edits would.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Target } from '../clients/raw-client.ts'
import type { PopulateResult } from '../load/jobs.ts'
import { runJob } from '../run/load-process.ts'
import type { ServerSpec } from '../servers/catalog.ts'
import type { RunningServer } from '../servers/launch.ts'
import type { StoredDoc } from './docgen.ts'
import type { RunContext } from './types.ts'

/** Must match storeFile() in servers/stored-docs.mjs. */
const storeFile = (dir: string, docName: string): string => join(dir, `${encodeURIComponent(docName)}.ystate`)

/** How long the writer may take to compact everything at shutdown. */
const WRITER_SHUTDOWN_MS = 300_000

export interface Prepared {
  readonly server: RunningServer
  /** Targets in the order of `canvases`. */
  readonly targets: Target[]
  readonly populateSeconds: number
}

/**
 * Starts `spec` with `canvases` stored. With `restart` (S5), Jabiru is stopped after writing and
 * started again on the same data, so every canvas is cold; the peers start with their store.
 */
export const startWithStored = async (
  spec: ServerSpec,
  ctx: RunContext,
  canvases: readonly { readonly name: string; readonly doc: StoredDoc }[],
  options: { readonly restart: boolean; readonly env?: Readonly<Record<string, string>> },
): Promise<Prepared> => {
  const names = canvases.map((c) => c.name)
  if (spec.kind !== 'jabiru') {
    const storeDir = join(ctx.workDir, 'store')
    mkdirSync(storeDir, { recursive: true })
    for (const c of canvases) writeFileSync(storeFile(storeDir, c.name), c.doc.state)
    const server = await ctx.start(spec, { storeDir, env: options.env })
    return { server, targets: await server.canvases(names, ctx.runId), populateSeconds: 0 }
  }
  const dataDir = join(ctx.workDir, 'data')
  // The writer compacts every canvas as it shuts down. On a slow machine state S5's canvases took longer than the
  // server's default shutdown limit (10 s); stopped early, it left the last canvases (the 1 MB fragmented ones) as
  // journal tails, which the restarted server builds at load: a recovery, not the stored canvases S5 measures.
  const writerEnv = options.restart
    ? { ...options.env, SHUTDOWN_TIMEOUT_MS: String(WRITER_SHUTDOWN_MS) }
    : options.env
  const writer = await ctx.start(spec, { dataDir, env: writerEnv })
  const targets = await writer.canvases(names, ctx.runId)
  const t0 = performance.now()
  await runJob<PopulateResult>(
    {
      kind: 'populate',
      canvases: canvases.map((c, i) => ({
        target: targets[i]!,
        updates: c.doc.updates,
        endMarker: c.doc.endMarker,
      })),
    },
    () => undefined,
    600_000,
  )
  const populateSeconds = (performance.now() - t0) / 1000
  if (!options.restart) return { server: writer, targets, populateSeconds }
  const session = await writer.jabiruSession(ctx.runId)
  await writer.stop(WRITER_SHUTDOWN_MS + 5_000)
  if (writer.exitCode !== 0) {
    throw new Error(`the writer did not shut down cleanly (exit code ${writer.exitCode}); see its log`)
  }
  const server = await ctx.start(spec, { dataDir, env: options.env })
  server.adoptSession(session)
  return {
    server,
    targets: await server.existingCanvases(
      targets.map((t) => t.docName),
      ctx.runId,
    ),
    populateSeconds,
  }
}
