import * as Y from 'yjs'
import type { DocumentStore } from '../../persistence/ports.ts'
import { type CanvasJSON, toCanvasJSON } from '../../shared/canvas/index.ts'
import { CloseCode } from '../../shared/close-codes.ts'
import type { Logger } from '../logger.ts'
import type { Connection } from './connection.ts'
import type { AccessChange } from './extensions.ts'
import { LOAD_ORIGIN } from './origin.ts'
import { applyStored, Room, type RoomDeps } from './room.ts'

type Entry =
  | { readonly kind: 'loading'; readonly room: Promise<Room> }
  | { readonly kind: 'live'; readonly room: Room; unloadTimer: NodeJS.Timeout | null }
  | { readonly kind: 'unloading'; readonly done: Promise<void> }

export interface RegistryOptions {
  readonly unloadGraceMs: number
  readonly compactIntervalMs: number
}

export class RoomLoadError extends Error {
  override readonly name = 'RoomLoadError'
}

/**
 * The only owner of room lifecycle: canvas id -> Room. Concurrent connects share one load; a room is unloaded a
 * grace period after its last connection left, and only after its journal writes finished and its state was
 * compacted. Loads that fail reject every waiter and leave no entry, so the next connect retries.
 */
export class RoomRegistry {
  private readonly entries = new Map<string, Entry>()
  private readonly compactTimer: NodeJS.Timeout
  private closed = false
  private sweeping = false

  constructor(
    private readonly deps: RoomDeps,
    private readonly options: RegistryOptions,
  ) {
    this.compactTimer = setInterval(() => void this.compactAll(), options.compactIntervalMs)
    this.compactTimer.unref()
  }

  get size(): number {
    return this.entries.size
  }

  /** The live room if this process has the canvas loaded. */
  peek(canvasId: string): Room | null {
    const entry = this.entries.get(canvasId)
    return entry?.kind === 'live' ? entry.room : null
  }

  liveRooms(): Room[] {
    const rooms: Room[] = []
    for (const entry of this.entries.values()) if (entry.kind === 'live') rooms.push(entry.room)
    return rooms
  }

  /** Loads (or reuses) the canvas's room and attaches the connection; throws RoomLoadError on storage failure. */
  async attach(canvasId: string, connection: Connection): Promise<Room> {
    const room = await this.open(canvasId)
    if (connection.isOpen && !this.closed) room.addConnection(connection)
    else this.scheduleUnloadIfIdle(room)
    return room
  }

  detach(room: Room, connection: Connection): void {
    room.removeConnection(connection)
    this.scheduleUnloadIfIdle(room)
  }

  private async open(canvasId: string): Promise<Room> {
    for (;;) {
      if (this.closed) throw new RoomLoadError('server is shutting down')
      const entry = this.entries.get(canvasId)
      if (entry === undefined) break
      switch (entry.kind) {
        case 'live':
          if (entry.unloadTimer !== null) clearTimeout(entry.unloadTimer)
          entry.unloadTimer = null
          if (entry.room.isUnreadable) {
            // Its stored state failed to apply (Room.doc); it already closed its connections. Load afresh.
            entry.room.destroy()
            this.entries.delete(canvasId)
            continue
          }
          return entry.room
        case 'loading':
          return entry.room
        case 'unloading':
          await entry.done
          continue
        default: {
          const never: never = entry
          throw new Error(`unknown room entry ${JSON.stringify(never)}`)
        }
      }
    }
    const loading = Room.load(canvasId, this.deps).then(
      (room) => {
        this.entries.set(canvasId, { kind: 'live', room, unloadTimer: null })
        return room
      },
      (error: unknown) => {
        this.entries.delete(canvasId)
        this.deps.log.error({ err: error, canvasId }, 'canvas load failed')
        throw new RoomLoadError(`canvas ${canvasId} could not be loaded`, { cause: error })
      },
    )
    this.entries.set(canvasId, { kind: 'loading', room: loading })
    return loading
  }

  private scheduleUnloadIfIdle(room: Room): void {
    const entry = this.entries.get(room.canvasId)
    if (entry?.kind !== 'live' || entry.room !== room || room.connections.size > 0 || this.closed) return
    if (entry.unloadTimer !== null) clearTimeout(entry.unloadTimer)
    entry.unloadTimer = setTimeout(() => void this.unload(room), this.options.unloadGraceMs)
  }

  /** Unloads only after journal writes and compaction succeeded; on failure the room stays and retries later. */
  private async unload(room: Room): Promise<void> {
    const entry = this.entries.get(room.canvasId)
    if (entry?.kind !== 'live' || entry.room !== room || room.connections.size > 0) return
    let finish: () => void = () => undefined
    const done = new Promise<void>((resolve) => {
      finish = resolve
    })
    this.entries.set(room.canvasId, { kind: 'unloading', done })
    try {
      await room.quiesce()
      await room.beforeUnload()
      await room.quiesce()
      await room.compact()
      room.destroy()
      this.entries.delete(room.canvasId)
    } catch (error) {
      this.deps.log.error({ err: error, canvasId: room.canvasId }, 'unload failed; keeping the canvas loaded')
      const timer = setTimeout(() => void this.unload(room), Math.max(1000, this.options.unloadGraceMs))
      this.entries.set(room.canvasId, { kind: 'live', room, unloadTimer: timer })
    } finally {
      finish()
    }
  }

  /**
   * One room at a time: each compaction encodes its document synchronously, so starting them all in one tick would
   * stall every room for the sum of the encodings. The sweep also yields to the event loop between rooms: a store
   * that answers in microtasks (the memory store; PGlite did before it had its own thread) never lets I/O in between
   * compactions, and a sweep of ten 200 KB canvases was one ~190 ms stall (bench S7). A sweep still running when the
   * next is due skips that turn.
   */
  private async compactAll(): Promise<void> {
    if (this.sweeping) return
    this.sweeping = true
    try {
      let first = true
      for (const room of this.liveRooms()) {
        if (this.closed) return
        if (!room.needsCompaction) continue
        if (!first) await new Promise<void>((resolve) => setImmediate(resolve))
        first = false
        if (this.closed) return
        try {
          await room.compact()
        } catch (error) {
          this.deps.log.error({ err: error, canvasId: room.canvasId }, 'periodic compaction failed')
        }
      }
    } finally {
      this.sweeping = false
    }
  }

  /**
   * A server-made change to a canvas (restore, template import), wherever the canvas is loaded: through the local
   * room when loaded here, else journaled directly and published, so rooms on other instances apply it and a later
   * load reads it from the journal.
   */
  async submitServerUpdate(
    canvasId: string,
    update: Uint8Array,
    reason: string,
    authorId: string | null,
  ): Promise<void> {
    const live = this.peek(canvasId)
    if (live !== null) return live.submitServerUpdate(update, reason, authorId)
    const [seq] = await this.deps.documents.appendJournal([{ canvasId, update, authorId }])
    if (seq === undefined) throw new Error('journal append returned no seq')
    // A room that started loading meanwhile either read this entry or receives it here (Yjs ignores duplicates).
    await this.deps.bus.publish({
      kind: 'update',
      canvasId,
      origin: this.deps.bus.instanceId,
      seq,
      update,
      authorId,
    })
    // Our own publication is ignored by our own rooms, so a room that loaded meanwhile re-reads storage.
    const entry = this.entries.get(canvasId)
    const loaded =
      entry?.kind === 'live'
        ? entry.room
        : entry?.kind === 'loading'
          ? await entry.room.catch(() => null)
          : null
    if (loaded !== null) await loaded.repair()
  }

  /**
   * An access change from the bus (global channel): with a canvas, that canvas's room re-checks if it is loaded
   * here; without (user deactivated, session revoked), every room does.
   */
  accessChanged(change: AccessChange): void {
    if (change.canvasId === null) {
      for (const room of this.liveRooms()) room.accessChanged(change)
      return
    }
    this.peek(change.canvasId)?.accessChanged(change)
  }

  /** Bus reconnected: messages may have been lost, so every room re-reads storage. */
  repairAll(): void {
    for (const room of this.liveRooms()) void room.repair()
  }

  /**
   * Graceful shutdown: refuse new rooms, close sockets with GoingAway, wait for journal writes, compact everything.
   * Compaction failures are reported (the journal still holds the data) and rethrown together.
   */
  async shutdown(): Promise<void> {
    this.closed = true
    clearInterval(this.compactTimer)
    const rooms: Room[] = []
    for (const entry of this.entries.values()) {
      if (entry.kind === 'live') {
        if (entry.unloadTimer !== null) clearTimeout(entry.unloadTimer)
        rooms.push(entry.room)
      } else if (entry.kind === 'loading') {
        const room = await entry.room.catch(() => null)
        if (room !== null) rooms.push(room)
      } else {
        await entry.done
      }
    }
    for (const room of rooms) room.closeAll(CloseCode.GoingAway)
    await this.deps.journal.flush()
    const failures: unknown[] = []
    for (const room of rooms) {
      try {
        await room.quiesce()
        await room.beforeUnload()
        await room.quiesce()
        await room.compact()
      } catch (error) {
        failures.push(error)
        this.deps.log.error(
          { err: error, canvasId: room.canvasId },
          'final compaction failed; journal keeps the data',
        )
      }
      room.destroy()
    }
    this.entries.clear()
    if (failures.length > 0)
      throw new AggregateError(failures, `${failures.length} canvases failed to compact`)
  }
}

/**
 * The canvas as JSON, for REST reads: straight from the live room when loaded here (no copy), else from storage.
 * Never registers a room.
 */
export async function readCanvasJSON(
  registry: RoomRegistry,
  documents: DocumentStore,
  canvasId: string,
  log: Logger,
): Promise<CanvasJSON> {
  const live = registry.peek(canvasId)
  if (live !== null) return toCanvasJSON(live.doc)
  const doc = new Y.Doc()
  try {
    applyStored(doc, await documents.loadDocument(canvasId), LOAD_ORIGIN, log)
    return toCanvasJSON(doc)
  } finally {
    doc.destroy()
  }
}

/**
 * A private copy of the canvas document (live state if loaded here, else stored), for callers that change it to
 * compute an update (rename, restore). The caller destroys it. Never registers a room.
 */
export async function readCanvasDoc(
  registry: RoomRegistry,
  documents: DocumentStore,
  canvasId: string,
  log: Logger,
): Promise<Y.Doc> {
  const live = registry.peek(canvasId)
  const doc = new Y.Doc()
  if (live !== null) {
    Y.applyUpdate(doc, live.encodeState())
    return doc
  }
  applyStored(doc, await documents.loadDocument(canvasId), LOAD_ORIGIN, log)
  return doc
}
