import type {
  CommentStore,
  LockManager,
  TemplateStore,
  VersionInfo,
  VersionStore,
} from '../../persistence/ports.ts'
import type { VersioningConfig } from '../config.ts'
import type { Logger } from '../logger.ts'
import { ActivityTracker } from './activity.ts'
import { VersioningExtension } from './extension.ts'
import { VersionWriter } from './version-writer.ts'
import { CanvasVersioner } from './versioner.ts'

/** The history stores a server runs on (SQL or MongoDB, chosen by the composition root). */
export interface HistoryStores {
  readonly versions: VersionStore
  readonly templates: TemplateStore
  readonly comments: CommentStore
  close(): Promise<void>
}

export interface VersioningDeps {
  readonly versions: VersionStore
  /** The lease of "one instance writes a canvas's versions at a time" (Redis when configured). */
  readonly locks: LockManager
  readonly instanceId: string
  readonly config: VersioningConfig
  readonly log: Logger
  readonly versionCreated: (info: VersionInfo) => Promise<void>
}

/** The automatic-version machinery: the room extension and the versioner it shares with the HTTP routes. */
export function createVersioning(deps: VersioningDeps) {
  const writer = new VersionWriter({
    versions: deps.versions,
    locks: deps.locks,
    instanceId: deps.instanceId,
    keyframeInterval: deps.config.keyframeInterval,
    log: deps.log,
    versionCreated: deps.versionCreated,
  })
  const versioner = new CanvasVersioner(writer, new ActivityTracker())
  const extension = new VersioningExtension(versioner, deps.config, deps.log)
  return { versioner, extension, close: () => writer.close() }
}
