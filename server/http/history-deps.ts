import type { CommentStore, TemplateStore, VersionStore } from '../../persistence/ports.ts'
import type { StateFolder } from '../compaction/state-folder.ts'
import type { HistoryService } from '../history/service.ts'

/** What the history, template and comment routes need beyond the common HttpDeps. */
export interface HistoryDeps {
  readonly versions: VersionStore
  readonly templates: TemplateStore
  readonly comments: CommentStore
  /** Named versions and restores. */
  readonly service: HistoryService
  /** Rebuilds a version's state off the event loop (the compaction thread in a server). */
  readonly folder: StateFolder
}
