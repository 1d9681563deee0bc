import { parentPort } from 'node:worker_threads'
import { lowerThisThreadPriority } from '../../persistence/worker-thread.ts'
import { foldState } from './fold.ts'
import { type FoldReply, type FoldRequest, unpackFoldRequest } from './fold-protocol.ts'

/**
 * The compaction thread (see state-folder.ts): folds journals into states with Yjs, off the event loop. Requests
 * are answered in the order they arrive.
 */
function portToLoop(): NonNullable<typeof parentPort> {
  if (parentPort === null) throw new Error('server/compaction/fold-worker.ts runs as a worker thread')
  return parentPort
}
const port = portToLoop()
const reply = (message: FoldReply, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer)

// Compaction is never urgent: it takes only the cycles the event loop leaves idle on a shared core.
const notLowered = lowerThisThreadPriority()
if (notLowered !== null) reply({ kind: 'warning', message: `compaction thread: ${notLowered}` })

port.on('message', (request: FoldRequest) => {
  try {
    const { base, updates } = unpackFoldRequest(request)
    const { state, skipped } = foldState(base, updates)
    // encodeStateAsUpdate returns an array of its own, so its whole buffer can be handed over.
    const transfer =
      state.byteOffset === 0 && state.byteLength === state.buffer.byteLength ? [state.buffer] : []
    reply({ kind: 'folded', id: request.id, state, skipped: [...skipped] }, transfer as ArrayBuffer[])
  } catch (error) {
    reply({ kind: 'failed', id: request.id, message: error instanceof Error ? error.message : String(error) })
  }
})
