import * as Y from 'yjs'
import type { VersionData, VersionInfo, VersionStore } from '../../persistence/ports.ts'
import type { StateFolder } from '../compaction/state-folder.ts'

/** Versions read per query while replaying a range. */
const REPLAY_PAGE = 50

export class HistoryGapError extends Error {
  override readonly name = 'HistoryGapError'
}

/** Applies a chain (a keyframe, then deltas) to `doc`. */
export function applyVersions(doc: Y.Doc, rows: readonly VersionData[]): void {
  doc.transact(() => {
    for (const row of rows) Y.applyUpdate(doc, row.data)
  })
}

/**
 * The canvas state at `version`: one keyframe and at most (keyframe interval - 1) deltas, so the cost is bounded
 * whatever the length of the history. Null when the version does not exist (or was pruned). The caller destroys
 * the returned doc.
 */
export async function versionDoc(
  store: VersionStore,
  canvasId: string,
  version: number,
): Promise<Y.Doc | null> {
  const chain = await store.readChain(canvasId, version)
  if (chain === null) return null
  const doc = new Y.Doc()
  applyVersions(doc, chain)
  return doc
}

/**
 * The Yjs state of the canvas at `version`, rebuilt by `folder` (off the event loop in a server: a 200 KB canvas is
 * a Y.Doc of tens of thousands of Items). Null when the version does not exist; throws when a row does not apply.
 */
export async function versionState(
  store: VersionStore,
  folder: StateFolder,
  canvasId: string,
  version: number,
): Promise<Uint8Array | null> {
  const chain = await store.readChain(canvasId, version)
  if (chain === null) return null
  const { state, skipped } = await folder.fold(
    null,
    chain.map((row) => row.data),
  )
  if (skipped.length > 0) {
    const reasons = skipped.map((skip) => skip.reason).join('; ')
    throw new Error(`version ${version} of canvas ${canvasId} does not rebuild: ${reasons}`)
  }
  return state
}

/**
 * Walks versions from..to (inclusive) in order, yielding each version with the doc at that version. The doc is
 * one Y.Doc advanced in place (a keyframe applied on top of its predecessor's state changes nothing it already
 * has), so a replay costs one rebuild plus one small apply per version. Do not keep the doc past the next step.
 */
export async function* replayVersions(
  store: VersionStore,
  canvasId: string,
  from: number,
  to: number,
): AsyncGenerator<{ readonly info: VersionInfo; readonly doc: Y.Doc }> {
  const chain = await store.readChain(canvasId, from)
  const first = chain?.at(-1)
  if (chain === null || first === undefined) throw new HistoryGapError(`version ${from} cannot be rebuilt`)
  const doc = new Y.Doc()
  try {
    applyVersions(doc, chain)
    yield { info: first, doc }
    let next = from + 1
    while (next <= to) {
      const page = await store.readRange(canvasId, next, Math.min(to, next + REPLAY_PAGE - 1))
      if (page.length === 0) return
      for (const row of page) {
        // Retention only deletes below every kept chain, so a range that starts at a rebuildable version is whole.
        if (row.version !== next) throw new HistoryGapError(`version ${next} is missing from the history`)
        Y.applyUpdate(doc, row.data)
        yield { info: row, doc }
        next++
      }
    }
  } finally {
    doc.destroy()
  }
}
