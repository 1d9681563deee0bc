import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import type { Bus, BusMessage, DocumentStore, StoredDocument, Subscription } from '../../persistence/ports.ts'
import { CloseCode } from '../../shared/close-codes.ts'
import { foldsOffLoop } from '../compaction/cost.ts'
import type { StateFolder } from '../compaction/state-folder.ts'
import type { Logger } from '../logger.ts'
import { Broadcast } from '../ws/binary-frame.ts'
import { changesNothing } from './changes-nothing.ts'
import type { Connection } from './connection.ts'
import type { AcceptedUpdate, AccessChange, RoomExtension, RoomView, UpdateVerdict } from './extensions.ts'
import {
  type AwarenessEntry,
  type DecodedUpdate,
  decodeInbound,
  encodeAwarenessEntries,
  type InboundMessage,
  isEmptyStateVector,
  isEmptyUpdate,
  ProtocolError,
} from './inbound.ts'
import type { Journal } from './journal.ts'
import { unlinkMergedItems } from './merged-items.ts'
import { LOAD_ORIGIN, type TransactionOrigin } from './origin.ts'
import { awarenessFrame, noticeFrame, syncStep1Frame, syncStep2Frame, updateFrame } from './outbound.ts'
import { SeqTracker } from './seq-tracker.ts'

export interface RoomDeps {
  readonly documents: DocumentStore
  readonly journal: Journal
  readonly bus: Bus
  readonly log: Logger
  /** Compact as soon as this many journal bytes were applied since the last compaction. */
  readonly compactJournalBytes: number
  /** Called in order; see extensions.ts. */
  readonly extensions: readonly RoomExtension[]
  /** Folds stored rows into a state when that costs the loop less than encoding (compaction/cost.ts). */
  readonly folder: StateFolder
}

/** Awareness changes made by the room itself when a connection goes away. */
const AWARENESS_CLOSED = 'connection-closed'
const AWARENESS_REMOTE = 'remote-instance'

/** What y-protocols' Awareness reports with each 'update'. */
interface AwarenessChange {
  readonly added: number[]
  readonly updated: number[]
  readonly removed: number[]
}

/** The stored state of a canvas could not be applied to a Y.Doc (found when a room first needed its document). */
export class StoredStateError extends Error {
  override readonly name = 'StoredStateError'
  constructor(canvasId: string, cause: unknown) {
    super(`stored state of canvas ${canvasId} could not be applied`, { cause })
  }
}

/** Applies stored state + journal tail to `doc`; an entry that fails to apply is logged and skipped, never fatal. */
export function applyStored(
  doc: Y.Doc,
  stored: StoredDocument,
  origin: TransactionOrigin,
  log: Logger,
): number {
  let last = stored.stateSeq
  doc.transact(() => {
    if (stored.state !== null) Y.applyUpdate(doc, stored.state, origin)
    for (const entry of stored.journal) {
      try {
        Y.applyUpdate(doc, entry.update, origin)
      } catch (error) {
        log.error({ err: error, seq: entry.seq }, 'journal entry could not be applied; skipped')
      }
      last = Math.max(last, entry.seq)
    }
  }, origin)
  return last
}

/**
 * One canvas loaded in this process: its Y.Doc, awareness and local connections.
 * Invariant: an update is journaled before it is relayed to other connections, applied here or published to other
 * instances, so every edit any client has received survives a crash of this process.
 */
export class Room implements RoomView {
  /** Built lazily: see `doc`. */
  private readonly ydoc: Y.Doc
  readonly awareness: awarenessProtocol.Awareness
  readonly connections = new Set<Connection>()
  private readonly seqs: SeqTracker
  private compactedSeq: number
  private uncompactedBytes: number
  private uncompactedEntries: number
  /** Size of the document's state when last measured (loaded, sent whole to a joiner, or compacted). */
  private stateBytes: number
  /**
   * Journal appends started and not settled, and who waits for none to be left. A count, not a Set of promises: a
   * long-lived Set that fills and empties with every group commit reallocates its table each time, and at 20,000
   * updates/s those tables were a large part of what reached the old generation (sampling heap profile of S2).
   */
  private inflight = 0
  private readonly quiesced: (() => void)[] = []
  private compacting: Promise<void> | null = null
  private repairing: Promise<void> | null = null
  private subscription: Subscription | null = null
  /** Awareness client id -> id of the local connection that introduced it. */
  private readonly awarenessOwners = new Map<number, string>()
  private destroyed = false
  /**
   * Sync step 2 holding the whole canvas as it is now, for new clients (empty state vector): the stored state this
   * room was loaded from, sent without building a Y.Doc, or else an encoding of the Y.Doc made for the first joiner
   * after a change and shared by every joiner until the next one. Invariant: non-null only while no transaction
   * ran on the document since it was made (see `dropWholeStateOnChange`). Encoding a 1 MB fragmented canvas takes
   * ~100 ms, so a crowd of 50 joining a built room cost 50 encodes, seconds of event loop (bench S5).
   */
  private wholeStateFrame: Broadcast | null = null
  /**
   * The stored state (a view into the message of `wholeStateFrame`) while it is not applied to the Y.Doc yet.
   * Building the Y.Doc of a large canvas blocks the loop (~200 ms for a 1 MB fragmented canvas, ~10x the memory of
   * its bytes), and a canvas that is only viewed never needs it: joiners are sent the stored bytes. The first thing
   * that needs the document (an update, a client holding part of it, a REST read, a version) builds it.
   */
  private unbuiltState: Uint8Array | null = null
  /** Set when building the Y.Doc from the stored state failed; every later use of `doc` throws it. */
  private unreadable: StoredStateError | null = null
  /**
   * Callbacks handed to others, made once per room. Assigned in the constructor rather than written as arrow
   * field initializers: tsx (esbuild's keepNames) names a function in such a position with `Object.defineProperty`,
   * which gives each instance a property table of ~256 bytes (heap snapshots; see README "Per-instance callbacks").
   */
  private readonly onAwarenessUpdate: (change: AwarenessChange, origin: unknown) => void
  private readonly settled: () => void

  private constructor(
    readonly canvasId: string,
    private readonly deps: RoomDeps,
    stored: StoredDocument,
  ) {
    // The canvas id as the guid: without one Yjs draws a random UUID, 31 calls into the CSPRNG (2.5 % of the event
    // loop in a connect storm, bench S1's CPU profile). Yjs uses a guid only to tell subdocuments apart; this is the
    // root document, and its guid is never encoded into updates or sent to clients.
    this.ydoc = new Y.Doc({ guid: canvasId })
    this.awareness = new awarenessProtocol.Awareness(this.ydoc)
    this.onAwarenessUpdate = (change, origin) => this.relayAwareness(change, origin)
    this.settled = () => this.settle()
    unlinkMergedItems(this.ydoc)
    let last = stored.stateSeq
    if (stored.state !== null && stored.journal.length === 0) {
      const frame = syncStep2Frame(stored.state)
      this.wholeStateFrame = new Broadcast(frame)
      this.unbuiltState = frame.subarray(frame.length - stored.state.length)
    } else {
      // A journal tail would have to be merged into the bytes first: building is as cheap.
      last = applyStored(this.ydoc, stored, LOAD_ORIGIN, deps.log)
    }
    this.seqs = new SeqTracker(last)
    this.compactedSeq = stored.stateSeq
    this.uncompactedBytes = stored.journal.reduce((sum, entry) => sum + entry.update.length, 0)
    this.uncompactedEntries = stored.journal.length
    this.stateBytes = stored.state?.length ?? 0
    this.awareness.setLocalState(null)
    this.awareness.on('update', this.onAwarenessUpdate)
  }

  /**
   * The canvas document, built from the stored state on first use. Connections that joined before (and did not show
   * with an empty state vector that they hold nothing) are sent our sync step 1 now, so they send what we lack.
   */
  get doc(): Y.Doc {
    if (this.unreadable !== null) throw this.unreadable
    const state = this.unbuiltState
    if (state === null) return this.ydoc
    this.unbuiltState = null
    try {
      Y.applyUpdate(this.ydoc, state, LOAD_ORIGIN)
    } catch (error) {
      // What a failed load used to be, found late: the room serves nobody from now on (never an empty document that
      // a compaction could store over the real one). The registry drops it, and the next connect loads again.
      this.unreadable = new StoredStateError(this.canvasId, error)
      this.deps.log.error({ err: error, canvasId: this.canvasId }, 'stored canvas state could not be applied')
      this.wholeStateFrame = null
      this.closeAll(CloseCode.LoadFailed)
      throw this.unreadable
    }
    // The stored frame is still the whole document: it stays until the document changes.
    if (this.wholeStateFrame !== null) this.dropWholeStateOnChange()
    let step1: Broadcast | null = null
    for (const connection of this.connections) {
      if (!connection.awaitsServerStep1) continue
      connection.awaitsServerStep1 = false
      step1 ??= new Broadcast(syncStep1Frame(Y.encodeStateVector(this.ydoc)))
      connection.send(step1)
    }
    return this.ydoc
  }

  /**
   * The whole canvas as one update: the stored bytes themselves while the Y.Doc is not built (a copy of the canvas
   * for a REST change need not build the room's document, ~200 ms and its memory for a large canvas), else an
   * encoding of the Y.Doc.
   */
  encodeState(): Uint8Array {
    if (this.unreadable !== null) throw this.unreadable
    return this.unbuiltState ?? Y.encodeStateAsUpdate(this.ydoc)
  }

  /** Whether the Y.Doc was built (for tests and metrics; see `doc`). */
  get isBuilt(): boolean {
    return this.unbuiltState === null
  }

  /** The stored state turned out not to apply: the room must be dropped (see `doc`). */
  get isUnreadable(): boolean {
    return this.unreadable !== null
  }

  /**
   * Any transaction on the document drops the whole-state frame: a conservative test (a transaction may change
   * nothing) that costs nothing per update while no frame is held. 'afterTransaction', not 'update': Yjs encodes
   * every transaction's update while an 'update' listener is registered.
   */
  private dropWholeStateOnChange(): void {
    this.ydoc.once('afterTransaction', () => {
      this.wholeStateFrame = null
    })
  }

  /** The whole canvas as a sync step 2 frame, encoded only when the document changed since the last one. */
  private currentWholeStateFrame(): Broadcast {
    if (this.wholeStateFrame !== null) return this.wholeStateFrame
    const state = Y.encodeStateAsUpdate(this.doc)
    // The whole state, measured for free: what choosing a compaction's way needs (a room loaded from a journal
    // alone has no stored state to go by).
    this.stateBytes = state.length
    const frame = new Broadcast(syncStep2Frame(state))
    this.wholeStateFrame = frame
    this.dropWholeStateOnChange()
    return frame
  }

  /**
   * Loads the canvas; rejects (never an empty document) when storage fails. The bus subscription is made before the
   * load and buffers what arrives meanwhile, so no update published by another instance falls between the two.
   */
  static async load(canvasId: string, deps: RoomDeps): Promise<Room> {
    const early: BusMessage[] = []
    let loaded: Room | null = null
    const subscription = await deps.bus.subscribe(canvasId, (message) => {
      if (loaded === null) early.push(message)
      else loaded.receiveBusMessage(message)
    })
    let room: Room
    try {
      room = new Room(canvasId, deps, await deps.documents.loadDocument(canvasId))
    } catch (error) {
      await subscription.unsubscribe()
      throw error
    }
    room.subscription = subscription
    for (const message of early.splice(0)) room.receiveBusMessage(message)
    loaded = room
    for (const extension of deps.extensions) {
      try {
        await extension.roomLoaded?.(room)
      } catch (error) {
        // Fail closed: a room whose guards could not initialise is not served.
        room.destroy()
        throw new Error(`extension ${extension.name} failed to prepare canvas ${canvasId}`, { cause: error })
      }
    }
    return room
  }

  get appliedSeq(): number {
    return this.seqs.contiguous
  }

  addConnection(connection: Connection): void {
    this.connections.add(connection)
    if (this.isBuilt) connection.send(syncStep1Frame(Y.encodeStateVector(this.ydoc)))
    else connection.awaitsServerStep1 = true
    if (this.awareness.getStates().size > 0) {
      const clients = [...this.awareness.getStates().keys()]
      connection.send(awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients)))
    }
    if (connection.state.kind === 'read-only') {
      connection.send(noticeFrame({ type: 'read-only', reason: connection.state.reason }))
    }
    this.notify('connectionAdded', (extension) => extension.connectionAdded?.(this, connection))
  }

  removeConnection(connection: Connection): void {
    if (!this.connections.delete(connection)) return
    const owned = [...connection.awarenessClientIds]
    for (const clientId of owned) this.awarenessOwners.delete(clientId)
    if (owned.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, owned, AWARENESS_CLOSED)
    this.notify('connectionRemoved', (extension) => extension.connectionRemoved?.(this, connection))
  }

  broadcast(frame: Uint8Array): void {
    const message = new Broadcast(frame)
    for (const connection of this.connections) connection.send(message)
  }

  /** Runs a hook on every extension; a throwing extension is logged and never breaks the room. */
  private notify(hook: string, call: (extension: RoomExtension) => void): void {
    for (const extension of this.deps.extensions) {
      try {
        call(extension)
      } catch (error) {
        this.deps.log.error(
          { err: error, canvasId: this.canvasId, extension: extension.name, hook },
          'extension failed',
        )
      }
    }
  }

  /** The first rejection wins; a guard that throws rejects (fail closed). */
  private checkUpdate(connection: Connection, update: Uint8Array, decoded: DecodedUpdate): UpdateVerdict {
    for (const extension of this.deps.extensions) {
      if (extension.checkUpdate === undefined) continue
      try {
        const verdict = extension.checkUpdate(this, connection, update, decoded)
        if (verdict.kind === 'reject') return verdict
      } catch (error) {
        this.deps.log.error(
          { err: error, canvasId: this.canvasId, extension: extension.name },
          'update guard failed',
        )
        return { kind: 'reject', reason: 'invalid' }
      }
    }
    return { kind: 'accept' }
  }

  private afterUpdate(accepted: AcceptedUpdate): void {
    this.notify('afterUpdate', (extension) => extension.afterUpdate?.(this, accepted))
  }

  /** Access rules changed somewhere (bus message on this canvas, or a global one routed here by the registry). */
  accessChanged(change: AccessChange): void {
    this.notify('accessChanged', (extension) => extension.accessChanged?.(this, change))
  }

  /** Lets extensions finish work that must precede an unload (e.g. a last version). */
  async beforeUnload(): Promise<void> {
    for (const extension of this.deps.extensions) await extension.beforeUnload?.(this)
  }

  handleFrame(connection: Connection, data: Uint8Array): void {
    if (!connection.isOpen) return
    let message: InboundMessage
    try {
      message = decodeInbound(data)
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error
      this.deps.log.warn(
        { canvasId: this.canvasId, connectionId: connection.id, err: error.message },
        'bad message',
      )
      connection.close(CloseCode.BadMessage, error.message)
      return
    }
    try {
      this.dispatch(connection, message)
    } catch (error) {
      // The room already closed every connection (see `doc`); anything else is a bug, never a crash of the server.
      if (error instanceof StoredStateError) return
      this.deps.log.error(
        { err: error, canvasId: this.canvasId, connectionId: connection.id },
        'frame failed',
      )
      connection.close(CloseCode.InternalError)
    }
  }

  private dispatch(connection: Connection, message: InboundMessage): void {
    switch (message.type) {
      case 'sync-step1':
        this.answerSyncStep1(connection, message.stateVector)
        return
      case 'sync-step2':
      case 'update':
        this.handleClientUpdate(connection, message.update, message.decoded)
        return
      case 'awareness':
        this.handleAwareness(connection, message.payload, message.entries)
        return
      case 'query-awareness': {
        const clients = [...this.awareness.getStates().keys()]
        connection.send(awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients)))
        return
      }
      default: {
        const never: never = message
        throw new Error(`unhandled message ${JSON.stringify(never)}`)
      }
    }
  }

  private answerSyncStep1(connection: Connection, stateVector: Uint8Array): void {
    if (isEmptyStateVector(stateVector)) {
      // The client holds nothing, so there is nothing to ask it for: no sync step 1 of ours is needed.
      connection.awaitsServerStep1 = false
      connection.send(this.currentWholeStateFrame())
      return
    }
    connection.send(syncStep2Frame(Y.encodeStateAsUpdate(this.doc, stateVector)))
  }

  private handleClientUpdate(connection: Connection, update: Uint8Array, decoded: DecodedUpdate): void {
    // Includes the empty sync step 2 every fresh client sends, and the whole-delete-set reply of a client that
    // already holds the document: nothing to journal, relay or refuse (see changes-nothing.ts).
    if (isEmptyUpdate(update) || changesNothing(this.doc, decoded)) return
    const state = connection.state
    if (state.kind !== 'closing' && connection.desynced) {
      connection.send(noticeFrame({ type: 'update-rejected', reason: 'resync-required' }))
      return
    }
    switch (state.kind) {
      case 'closing':
        return
      case 'read-only':
        connection.desynced = true
        connection.send(noticeFrame({ type: 'update-rejected', reason: 'read-only' }))
        return
      case 'editing': {
        const verdict = this.checkUpdate(connection, update, decoded)
        if (verdict.kind === 'reject') {
          connection.desynced = true
          connection.send(
            noticeFrame({
              type: 'update-rejected',
              reason: verdict.reason,
              blockIds: verdict.blockIds ?? [],
            }),
          )
          return
        }
        const origin: TransactionOrigin = {
          kind: 'client',
          connectionId: connection.id,
          userId: connection.principal.userId,
        }
        this.accept(update, connection.principal.userId, origin, connection).catch((error: unknown) => {
          this.deps.log.error(
            { err: error, canvasId: this.canvasId },
            'journal append failed; update not accepted',
          )
          // The client still holds the edit; closing makes it resync (and resend it) when it reconnects.
          connection.close(CloseCode.InternalError, 'could not store the update; reconnect to retry')
        })
        return
      }
      default: {
        const never: never = state
        throw new Error(`unhandled connection state ${JSON.stringify(never)}`)
      }
    }
  }

  /** A change made by the server (restore, template, import): journaled and relayed like a client's. */
  submitServerUpdate(update: Uint8Array, reason: string, authorId: string | null): Promise<void> {
    return this.accept(update, authorId, { kind: 'server', reason }, null)
  }

  /**
   * journal -> relay -> integrate -> publish. Rejects (having relayed and applied nothing) when the journal append
   * fails; resolves once the update is in the room's document.
   *
   * Relaying needs only the journaled bytes, so the frames go out before the document integrates the update: the
   * integration runs in a next-tick callback queued after the relay. Node runs next-tick callbacks queued by a
   * promise reaction once the microtask queue is empty, in order, so the write coalescer's flush (queued by the
   * first send of this tick) writes the sockets first, and `Y.applyUpdate` (about a quarter of the server's time
   * per update at low rates, from cold caches) no longer delays every delivery. The document has the update
   * before any I/O, timer or immediate callback runs: no client frame, and no compaction or version tick, sees the
   * room in between. Promise continuations of this same tick may, exactly as they may while the append is in
   * flight.
   */
  private accept(
    update: Uint8Array,
    authorId: string | null,
    origin: TransactionOrigin,
    sender: Connection | null,
  ): Promise<void> {
    this.inflight++
    return this.deps.journal
      .append({ canvasId: this.canvasId, update, authorId })
      .then((seq) => {
        if (this.destroyed) return
        this.relay(update, sender)
        return new Promise<void>((resolve, reject) => {
          process.nextTick(() => {
            try {
              this.integrate(update, seq, origin, sender, authorId)
              resolve()
            } catch (error) {
              reject(error)
            }
          })
        })
      })
      .finally(this.settled)
  }

  private relay(update: Uint8Array, sender: Connection | null): void {
    const message = new Broadcast(updateFrame(update))
    for (const connection of this.connections) if (connection !== sender) connection.send(message)
  }

  private integrate(
    update: Uint8Array,
    seq: number,
    origin: TransactionOrigin,
    sender: Connection | null,
    authorId: string | null,
  ): void {
    if (this.destroyed) return
    try {
      Y.applyUpdate(this.doc, update, origin)
    } catch (error) {
      // Decoded fine but failed to integrate (a hostile structure, or a document observer that threw). The other
      // clients have it already; Yjs integrates deterministically, so a structure that fails here fails the same
      // way on a client holding the same document. Loading skips such entries the same way.
      this.deps.log.error({ err: error, canvasId: this.canvasId, seq }, 'update failed to apply')
      sender?.close(CloseCode.BadMessage, 'update could not be applied')
      if (this.deps.journal.durable) this.seqs.mark(seq)
      return
    }
    this.afterUpdate({ update, seq, origin, authorId })
    if (!this.deps.journal.durable) return
    this.seqs.mark(seq)
    this.uncompactedBytes += update.length
    this.uncompactedEntries++
    this.publish({
      kind: 'update',
      canvasId: this.canvasId,
      origin: this.deps.bus.instanceId,
      seq,
      update,
      authorId,
    })
    if (this.uncompactedBytes >= this.deps.compactJournalBytes) void this.compactLogged()
  }

  /**
   * Each awareness client id belongs to the connection that introduced it, and only that connection may change or
   * remove its state. Stock y-websocket clients re-send every awareness change they receive (other clients' states
   * included), so entries for ids this connection does not own are dropped silently, never applied or re-stamped:
   * a spoofing client gets exactly the treatment of an honest echo. An id nobody owns is taken over only by a newer
   * clock when no live state exists for it (a client reconnecting after its state was removed).
   */
  private handleAwareness(
    connection: Connection,
    payload: Uint8Array,
    entries: readonly AwarenessEntry[],
  ): void {
    const states = this.awareness.getStates()
    const own = entries.filter((entry) => {
      const owner = this.awarenessOwners.get(entry.clientId)
      if (owner !== undefined) return owner === connection.id
      const clock = this.awareness.meta.get(entry.clientId)?.clock
      return !states.has(entry.clientId) && (clock === undefined || entry.clock > clock)
    })
    if (own.length === 0) return
    const rewritten = this.rewriteAwareness(connection, own)
    if (rewritten === null) return
    const unchanged = rewritten === entries
    for (const entry of rewritten) {
      if (entry.state === null) {
        this.awarenessOwners.delete(entry.clientId)
        connection.awarenessClientIds.delete(entry.clientId)
      } else {
        this.awarenessOwners.set(entry.clientId, connection.id)
        connection.awarenessClientIds.add(entry.clientId)
      }
    }
    const update = unchanged ? payload : encodeAwarenessEntries(rewritten)
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, connection)
  }

  /** Applies extensions' awarenessState rewrites; returns `entries` itself when no extension rewrites. */
  private rewriteAwareness(
    connection: Connection,
    entries: readonly AwarenessEntry[],
  ): readonly AwarenessEntry[] | null {
    const rewriters = this.deps.extensions.filter((extension) => extension.awarenessState !== undefined)
    if (rewriters.length === 0) return entries
    try {
      return entries.map((entry) => {
        let state = entry.state as Record<string, unknown> | null
        for (const extension of rewriters) {
          if (state === null) break
          state = extension.awarenessState?.(this, connection, state) ?? null
        }
        return { ...entry, state }
      })
    } catch (error) {
      this.deps.log.error(
        { err: error, canvasId: this.canvasId },
        'awareness rewrite failed; message dropped',
      )
      return null
    }
  }

  /** Relays every awareness change (local or remote) to local connections; publishes local ones. */
  private relayAwareness(change: AwarenessChange, origin: unknown): void {
    const clients = [...change.added, ...change.updated, ...change.removed]
    if (clients.length === 0) return
    const payload = awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients)
    this.broadcast(awarenessFrame(payload))
    if (origin !== AWARENESS_REMOTE) {
      this.publish({ kind: 'awareness', canvasId: this.canvasId, origin: this.deps.bus.instanceId, payload })
    }
  }

  private receiveBusMessage(message: BusMessage): void {
    if (this.destroyed) return
    // Our own updates and awareness come back from the bus: already applied here. Access changes do not.
    const own = message.origin === this.deps.bus.instanceId
    switch (message.kind) {
      case 'update':
        if (own) return
        try {
          this.applyRemote(message.update, message.seq, message.origin, message.authorId ?? null)
        } catch (error) {
          if (!(error instanceof StoredStateError)) throw error
        }
        return
      case 'awareness':
        if (own) return
        try {
          awarenessProtocol.applyAwarenessUpdate(this.awareness, message.payload, AWARENESS_REMOTE)
        } catch (error) {
          this.deps.log.warn({ err: error, canvasId: this.canvasId }, 'bad awareness from another instance')
        }
        return
      case 'access':
        // Access changes travel on the global channel (busChannelOf); the registry routes them to rooms.
        return
      case 'locks':
        this.notify('locksChanged', (extension) => extension.locksChanged?.(this))
        return
      default: {
        const never: never = message
        throw new Error(`unhandled bus message ${JSON.stringify(never)}`)
      }
    }
  }

  private applyRemote(update: Uint8Array, seq: number, instanceId: string, authorId: string | null): void {
    const origin: TransactionOrigin = { kind: 'remote', instanceId }
    try {
      Y.applyUpdate(this.doc, update, origin)
    } catch (error) {
      this.deps.log.error({ err: error, canvasId: this.canvasId, seq }, 'remote update failed to apply')
    }
    this.seqs.mark(seq)
    this.uncompactedBytes += update.length
    this.uncompactedEntries++
    this.broadcast(updateFrame(update))
    this.afterUpdate({ update, seq, origin, authorId })
    if (this.seqs.hasGap) void this.repair()
  }

  /**
   * Re-reads stored state and journal and applies what we lack (Yjs ignores what we already have). Called when a
   * relay was missed (seq gap), after the bus reconnects, and right after load.
   */
  repair(): Promise<void> {
    if (this.repairing !== null) return this.repairing
    this.repairing = (async () => {
      try {
        const stored = await this.deps.documents.loadDocument(this.canvasId)
        if (this.destroyed) return
        // An unbuilt room holds exactly the stored state it loaded: nothing was missed if storage has no more.
        if (!this.isBuilt && stored.journal.length === 0 && stored.stateSeq <= this.compactedSeq) return
        const before = Y.encodeStateVector(this.doc)
        const last = applyStored(this.doc, stored, { kind: 'remote', instanceId: 'storage' }, this.deps.log)
        this.seqs.markAllUpTo(last)
        const missing = Y.encodeStateAsUpdate(this.doc, before)
        if (!isEmptyUpdate(missing)) this.broadcast(updateFrame(missing))
      } catch (error) {
        this.deps.log.error({ err: error, canvasId: this.canvasId }, 'repair from storage failed')
      } finally {
        this.repairing = null
      }
    })()
    return this.repairing
  }

  private publish(message: BusMessage): void {
    this.deps.bus.publish(message).catch((error: unknown) => {
      // Other instances repair the gap from the journal when they see the next seq.
      this.deps.log.warn({ err: error, canvasId: this.canvasId }, 'bus publish failed')
    })
  }

  private settle(): void {
    this.inflight--
    if (this.inflight > 0) return
    for (const resolve of this.quiesced.splice(0)) resolve()
  }

  /** Waits for every journal append this room started (including those started while it waits). */
  quiesce(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve()
    return new Promise((resolve) => this.quiesced.push(resolve))
  }

  get needsCompaction(): boolean {
    // An unreadable room has no document to compact; its journal keeps the updates for the next load.
    return this.deps.journal.durable && this.unreadable === null && this.seqs.contiguous > this.compactedSeq
  }

  /**
   * Folds the journal into the stored state, whichever way costs the event loop less (see compaction/cost.ts):
   * - a large canvas with a short journal: folded from the stored rows on the compaction thread (`deps.folder`);
   *   exactly the entries up to `upToSeq` are folded.
   * - otherwise: this room's Y.Doc is encoded, with `upToSeq` read in the same synchronous step.
   * Either way the state holds every seq <= upToSeq; the store refuses to go backwards.
   */
  compact(): Promise<void> {
    if (this.compacting !== null) return this.compacting
    this.compacting = (async () => {
      try {
        if (!this.needsCompaction) return
        const upToSeq = this.seqs.contiguous
        const bytes = this.uncompactedBytes
        const entries = this.uncompactedEntries
        const folded = foldsOffLoop(entries, this.stateBytes)
        const state = folded ? await this.foldedStateUpTo(upToSeq) : Y.encodeStateAsUpdate(this.doc)
        if (state !== null) {
          const result = await this.deps.documents.compact(this.canvasId, state, upToSeq)
          this.compactedSeq = Math.max(this.compactedSeq, result.stateSeq)
          this.stateBytes = state.length
          this.deps.log.debug(
            { canvasId: this.canvasId, upToSeq, entries, stateBytes: state.length, folded },
            'compacted',
          )
        }
        this.uncompactedBytes = Math.max(0, this.uncompactedBytes - bytes)
        this.uncompactedEntries = Math.max(0, this.uncompactedEntries - entries)
      } finally {
        this.compacting = null
      }
    })()
    return this.compacting
  }

  /** The stored state with every journal entry up to `upToSeq` folded in; null when storage already has it. */
  private async foldedStateUpTo(upToSeq: number): Promise<Uint8Array | null> {
    const stored = await this.deps.documents.loadDocument(this.canvasId)
    if (stored.stateSeq >= upToSeq) {
      // Another instance (or an earlier compaction of this one) stored a state that covers these entries.
      this.compactedSeq = Math.max(this.compactedSeq, stored.stateSeq)
      return null
    }
    const entries = stored.journal.filter((entry) => entry.seq <= upToSeq)
    // Storage hands out seqs without gaps and this room applied every one up to upToSeq, so all of them are
    // there. Should one be missing, the rows cannot make the state: this room's document holds every entry.
    if (
      !entries.every((entry, i) => entry.seq === stored.stateSeq + 1 + i) ||
      entries.length !== upToSeq - stored.stateSeq
    ) {
      this.deps.log.error(
        { canvasId: this.canvasId, stateSeq: stored.stateSeq, upToSeq, entries: entries.length },
        'journal rows have a gap; compacting from the loaded document',
      )
      return Y.encodeStateAsUpdate(this.doc)
    }
    const folded = await this.deps.folder.fold(
      stored.state,
      entries.map((entry) => entry.update),
    )
    for (const { index, reason } of folded.skipped)
      this.deps.log.error(
        { canvasId: this.canvasId, seq: entries[index]?.seq, reason },
        'journal entry could not be applied; skipped',
      )
    return folded.state
  }

  private async compactLogged(): Promise<void> {
    try {
      await this.compact()
    } catch (error) {
      this.deps.log.error(
        { err: error, canvasId: this.canvasId },
        'compaction failed; journal keeps the data',
      )
    }
  }

  closeAll(code: CloseCode, detail?: string): void {
    for (const connection of this.connections) connection.close(code, detail)
  }

  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.notify('roomDestroyed', (extension) => extension.roomDestroyed?.(this))
    this.awareness.off('update', this.onAwarenessUpdate)
    this.awareness.destroy()
    this.unbuiltState = null
    this.wholeStateFrame = null
    this.ydoc.destroy()
    const subscription = this.subscription
    this.subscription = null
    subscription?.unsubscribe().catch((error: unknown) => {
      this.deps.log.warn({ err: error, canvasId: this.canvasId }, 'bus unsubscribe failed')
    })
  }
}
