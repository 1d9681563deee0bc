import type { VersionData, VersionPruneResult } from '../ports.ts'

/**
 * A chain read for `version` is usable only if it starts at a keyframe and has every number up to `version`
 * (retention never breaks a kept chain, but a version can be asked for after it was pruned).
 */
export function completeChain(rows: VersionData[], version: number): VersionData[] | null {
  const first = rows[0]
  const last = rows.at(-1)
  if (first === undefined || last === undefined || last.version !== version) return null
  if (first.kind !== 'keyframe' || first.version !== last.keyframeVersion) return null
  for (const [i, row] of rows.entries()) if (row.version !== first.version + i) return null
  return rows
}

export interface PruneCandidate {
  readonly version: number
  readonly keyframeVersion: number
  readonly createdAt: Date
}

/**
 * What retention deletes of one canvas's history (ascending rows). Kept: every version created at or after the
 * cutoff, the newest version (the parent of the next one), and for each kept version its keyframe and the deltas
 * after it. Keyframe numbers never decrease along the history, so "everything below the keyframe of the oldest
 * kept version" is exactly the set nobody needs.
 */
export function planPrune(rows: readonly PruneCandidate[], cutoff: Date): VersionPruneResult {
  const newest = rows.at(-1)
  if (newest === undefined) return { deleted: [], keptOlder: [] }
  const oldestKept = rows.find((row) => row.createdAt.getTime() >= cutoff.getTime()) ?? newest
  const floor = oldestKept.keyframeVersion
  const deleted: number[] = []
  const keptOlder: number[] = []
  for (const row of rows) {
    if (row.createdAt.getTime() >= cutoff.getTime()) continue
    if (row.version < floor) deleted.push(row.version)
    else keptOlder.push(row.version)
  }
  return { deleted, keptOlder }
}
