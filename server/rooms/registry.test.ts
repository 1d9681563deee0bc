import { randomUUID } from 'node:crypto'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { WebSocket } from 'ws'
import * as Y from 'yjs'
import { MemoryBus, MemoryBusHub } from '../../persistence/memory/bus.ts'
import type { Bus, DocumentStore } from '../../persistence/ports.ts'
import { openSqlDatabase } from '../../persistence/sql/connect.ts'
import { SqlDocumentStore } from '../../persistence/sql/document-store.ts'
import { migrateToLatest } from '../../schema/migrate.ts'
import { CloseCode } from '../../shared/close-codes.ts'
import { MessageType, SyncMessageType } from '../../shared/protocol.ts'
import { testPrincipal } from '../../test/support/principal.ts'
import { waitFor } from '../../test/support/wait.ts'
import { InlineStateFolder, type StateFolder } from '../compaction/state-folder.ts'
import { createLogger } from '../logger.ts'
import { Connection } from './connection.ts'
import type { RoomExtension } from './extensions.ts'
import { GroupCommitJournal } from './journal.ts'
import { RoomLoadError, RoomRegistry, readCanvasDoc } from './registry.ts'
import type { Room } from './room.ts'

/** A socket double that records frames and close calls (the Room only sends, closes and pings). */
class FakeSocket {
  readonly frames: Uint8Array[] = []
  closed: { code: number; reason: string } | null = null
  bufferedAmount = 0
  send(frame: Uint8Array, _options?: unknown, flushed?: () => void): void {
    this.frames.push(frame)
    flushed?.()
  }
  /** Sync step 2 frames received so far. */
  step2s(): Uint8Array[] {
    return this.frames.filter((frame) => frame[0] === MessageType.Sync && frame[1] === SyncMessageType.Step2)
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason }
  }
  ping(): void {
    // Heartbeats are not under test here.
  }
  /** Updates (sync type 2) received so far. */
  updates(): Uint8Array[] {
    return this.frames.filter((frame) => frame[0] === MessageType.Sync && frame[1] === SyncMessageType.Update)
  }
}

function connection(socket: FakeSocket, role: 'editor' | 'viewer' = 'editor'): Connection {
  const principal = testPrincipal({ userId: '00000000-0000-4000-8000-00000000000a', displayName: 'A' })
  return new Connection(
    socket as unknown as WebSocket,
    principal,
    role === 'viewer' ? { kind: 'read', role: 'viewer' } : { kind: 'edit', role },
  )
}

/** A sync frame (type 0) of the given sync type, as a client sends it. */
function syncMessage(syncType: SyncMessageType, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MessageType.Sync)
  encoding.writeVarUint(encoder, syncType)
  encoding.writeVarUint8Array(encoder, payload)
  return encoding.toUint8Array(encoder)
}

const updateMessage = (update: Uint8Array): Uint8Array => syncMessage(SyncMessageType.Update, update)
const step1Message = (stateVector: Uint8Array): Uint8Array => syncMessage(SyncMessageType.Step1, stateVector)
const step2Message = (update: Uint8Array): Uint8Array => syncMessage(SyncMessageType.Step2, update)

function someUpdate(text: string): Uint8Array {
  const doc = new Y.Doc()
  doc.getMap('meta').set('name', text)
  return Y.encodeStateAsUpdate(doc)
}

/** A DocumentStore wrapper whose behaviour tests can steer. */
class SteerableStore implements DocumentStore {
  loads = 0
  failLoads = 0
  failCompactions = 0
  failAppends = 0
  gate: Promise<void> | null = null
  constructor(private readonly inner: DocumentStore) {}
  async appendJournal(entries: Parameters<DocumentStore['appendJournal']>[0]) {
    if (this.gate !== null) await this.gate
    if (this.failAppends > 0) {
      this.failAppends--
      throw new Error('disk full')
    }
    return this.inner.appendJournal(entries)
  }
  async loadDocument(canvasId: string) {
    this.loads++
    if (this.failLoads > 0) {
      this.failLoads--
      throw new Error('storage unavailable')
    }
    return this.inner.loadDocument(canvasId)
  }
  readJournal(canvasId: string, afterSeq: number) {
    return this.inner.readJournal(canvasId, afterSeq)
  }
  async compact(canvasId: string, state: Uint8Array, upToSeq: number) {
    if (this.failCompactions > 0) {
      this.failCompactions--
      throw new Error('compaction write failed')
    }
    return this.inner.compact(canvasId, state, upToSeq)
  }
  journalStats(canvasId: string) {
    return this.inner.journalStats(canvasId)
  }
  deleteDocument(canvasId: string) {
    return this.inner.deleteDocument(canvasId)
  }
  ping() {
    return this.inner.ping()
  }
  close() {
    return this.inner.close()
  }
}

/** A registry (one "instance") over a document store, with test-friendly timings unless overridden. */
function makeRegistry(
  documents: DocumentStore,
  bus: Bus,
  options: {
    extensions?: RoomExtension[]
    unloadGraceMs?: number
    compactIntervalMs?: number
    folder?: StateFolder
  } = {},
): RoomRegistry {
  return new RoomRegistry(
    {
      documents,
      journal: new GroupCommitJournal(documents),
      bus,
      log: createLogger('silent'),
      compactJournalBytes: 1 << 20,
      folder: options.folder ?? new InlineStateFolder(),
      extensions: options.extensions ?? [],
    },
    { unloadGraceMs: options.unloadGraceMs ?? 10, compactIntervalMs: options.compactIntervalMs ?? 60_000 },
  )
}

interface Context {
  db: ReturnType<typeof openSqlDatabase>
  store: SteerableStore
  registry: RoomRegistry
  canvas: string
  close: () => Promise<void>
}
const test = suite<Context>('room registry')

test.before(async (context) => {
  context.db = openSqlDatabase({ kind: 'pglite', dataDir: null })
  await migrateToLatest(context.db)
})

test.after(async (context) => {
  await context.db.destroy()
})

test.before.each(async (context) => {
  const store = new SteerableStore(new SqlDocumentStore(context.db))
  context.canvas = randomUUID()
  const bus = new MemoryBus()
  context.store = store
  context.registry = makeRegistry(store, bus)
  context.close = async () => {
    await context.registry.shutdown()
    await bus.close()
  }
})

test.after.each(async (context) => {
  await context.close()
})

test('concurrent connects share one load', async ({ store, registry, canvas }) => {
  const rooms = await Promise.all(
    Array.from({ length: 10 }, () => registry.attach(canvas, connection(new FakeSocket()))),
  )
  assert.is(store.loads, 1)
  assert.ok(rooms.every((room) => room === rooms[0]))
  assert.is(rooms[0]?.connections.size, 10)
})

/** The payload of a sync frame (type, sync type, varUint8Array). */
function syncPayload(frame: Uint8Array): Uint8Array {
  const decoder = decoding.createDecoder(frame)
  decoding.readVarUint(decoder)
  decoding.readVarUint(decoder)
  return decoding.readVarUint8Array(decoder)
}

const EMPTY_STEP1 = Uint8Array.of(MessageType.Sync, SyncMessageType.Step1, 1, 0)

/** A new client holding nothing joins `room`: the sync step 2 frame it is sent. */
async function joinHoldingNothing(registry: RoomRegistry, canvas: string, room: Room): Promise<Uint8Array> {
  const socket = new FakeSocket()
  const joiner = connection(socket)
  await registry.attach(canvas, joiner)
  room.handleFrame(joiner, EMPTY_STEP1)
  const frame = socket.step2s()[0]
  if (frame === undefined) throw new Error('no sync step 2 for a client holding nothing')
  return frame
}

/** Stores `doc` as a compacted canvas state with an empty journal. */
async function storeCompacted(store: DocumentStore, canvas: string, doc: Y.Doc): Promise<void> {
  const [seq] = await store.appendJournal([
    { canvasId: canvas, update: Y.encodeStateAsUpdate(doc), authorId: null },
  ])
  await store.compact(canvas, Y.encodeStateAsUpdate(doc), seq ?? 0)
}

/** Two editors on `canvas`: `a` (connection `ca`) joins first, then `b` (`cb`). */
async function twoEditors(registry: RoomRegistry, canvas: string) {
  const a = new FakeSocket()
  const b = new FakeSocket()
  const ca = connection(a)
  const cb = connection(b)
  const room = await registry.attach(canvas, ca)
  await registry.attach(canvas, cb)
  return { room, a, b, ca, cb }
}

/** A viewer, then an editor, attached to the canvas's room. */
async function viewerAndEditor(registry: RoomRegistry, canvas: string) {
  const viewerSocket = new FakeSocket()
  const viewer = connection(viewerSocket, 'viewer')
  const editorSocket = new FakeSocket()
  const editor = connection(editorSocket)
  const room = await registry.attach(canvas, viewer)
  await registry.attach(canvas, editor)
  return { room, viewer, viewerSocket, editor, editorSocket }
}

/** Stores a compacted canvas whose meta name is "stored"; returns its document. */
async function storeNamedCanvas(store: DocumentStore, canvas: string): Promise<Y.Doc> {
  const stored = new Y.Doc()
  stored.getMap('meta').set('name', 'stored')
  await storeCompacted(store, canvas, stored)
  return stored
}

const step1s = (socket: FakeSocket): Uint8Array[] =>
  socket.frames.filter((frame) => frame[0] === MessageType.Sync && frame[1] === SyncMessageType.Step1)

test('stored canvas: joiners get the stored bytes, and the Y.Doc is built only when something needs it', async ({
  store,
  registry,
  canvas,
}) => {
  const stored = await storeNamedCanvas(store, canvas)
  const storedState = Y.encodeStateAsUpdate(stored)

  const viewerSocket = new FakeSocket()
  const viewer = connection(viewerSocket, 'viewer')
  const room = await registry.attach(canvas, viewer)
  room.handleFrame(viewer, EMPTY_STEP1)
  assert.equal(viewerSocket.step2s().map(syncPayload), [storedState], 'the stored bytes themselves')
  assert.is(step1s(viewerSocket).length, 0, 'a client holding nothing is not asked for anything')
  assert.not.ok(room.isBuilt, 'a joiner holding nothing does not build the document')
  const copy = await readCanvasDoc(registry, store, canvas, createLogger('silent'))
  assert.is(copy.getMap('meta').get('name'), 'stored')
  copy.destroy()
  assert.not.ok(room.isBuilt, 'nor does a private copy for a REST change')

  // A client holding part of the canvas (a reconnect) needs a diff: the document is built, and it is asked
  // (sync step 1) for what it has that the room lacks.
  const partial = new Y.Doc()
  const partialSocket = new FakeSocket()
  const holder = connection(partialSocket)
  await registry.attach(canvas, holder)
  Y.applyUpdate(partial, storedState)
  partial.getMap('other').set('offline', true)
  room.handleFrame(holder, step1Message(Y.encodeStateVector(partial)))
  assert.ok(room.isBuilt)
  const asked = step1s(partialSocket)[0]
  assert.ok(asked !== undefined, 'asked for what it holds')
  room.handleFrame(holder, step2Message(Y.encodeStateAsUpdate(partial, syncPayload(asked))))
  assert.is(step1s(viewerSocket).length, 0, 'the viewer showed it holds nothing')
  const diff = syncPayload(partialSocket.step2s()[0] ?? new Uint8Array())
  assert.ok(diff.length < storedState.length, 'a diff, not the canvas')

  // After a change, new joiners get the current document, change included (no longer the stored bytes).
  const before = Y.encodeStateVector(partial)
  partial.getMap('meta').set('title', 'after load')
  room.handleFrame(holder, updateMessage(Y.encodeStateAsUpdate(partial, before)))
  await waitFor('edit applied', () =>
    room.doc.getMap('meta').get('title') === 'after load' ? true : undefined,
  )
  const fresh = new Y.Doc()
  Y.applyUpdate(fresh, syncPayload(await joinHoldingNothing(registry, canvas, room)))
  assert.equal(fresh.getMap('meta').toJSON(), { name: 'stored', title: 'after load' })
})

test('joiners of a built room share one encoding of the canvas until the next change, a deletion included', async ({
  registry,
  canvas,
}) => {
  const { room, ca } = await twoEditors(registry, canvas)
  const client = new Y.Doc()
  const joinFresh = async (): Promise<{ frame: Uint8Array; content: unknown }> => {
    const frame = await joinHoldingNothing(registry, canvas, room)
    const fresh = new Y.Doc()
    Y.applyUpdate(fresh, syncPayload(frame))
    const content = fresh.getMap('meta').toJSON()
    fresh.destroy()
    return { frame, content }
  }

  await sendEdits(room, ca, client, [() => client.getMap('meta').set('name', 'first')])
  assert.ok(room.isBuilt)
  const one = await joinFresh()
  const two = await joinFresh()
  assert.equal(one.content, { name: 'first' })
  assert.ok(one.frame === two.frame, 'the second joiner is sent the same encoding, not a new one')

  await sendEdits(room, ca, client, [() => client.getMap('meta').set('title', 'second')])
  const three = await joinFresh()
  assert.equal(three.content, { name: 'first', title: 'second' })
  assert.ok(three.frame !== two.frame)

  // A deletion leaves the state vector as it was: the frame must go all the same.
  await sendEdits(room, ca, client, [() => client.getMap('meta').delete('title')])
  const four = await joinFresh()
  assert.equal(four.content, { name: 'first' })
  assert.ok(four.frame !== three.frame)
  client.destroy()
})

test("a stored state that does not apply closes the room's connections with 4503, stores nothing, and the next connect loads afresh", async ({
  store,
  registry,
  canvas,
}) => {
  const garbage = Uint8Array.of(1, 1, 1, 1)
  assert.throws(() => Y.applyUpdate(new Y.Doc(), garbage))
  const [seq] = await store.appendJournal([{ canvasId: canvas, update: someUpdate('x'), authorId: null }])
  await store.compact(canvas, garbage, seq ?? 0)
  const { room, viewerSocket, editor, editorSocket } = await viewerAndEditor(registry, canvas)
  const loadsBefore = store.loads
  room.handleFrame(editor, updateMessage(someUpdate('lost?')))
  assert.is(editorSocket.closed?.code, CloseCode.LoadFailed)
  assert.is(viewerSocket.closed?.code, CloseCode.LoadFailed, 'every connection of the room')
  await room.quiesce()
  assert.is((await store.journalStats(canvas)).entries, 0, 'the update was not journaled')
  const next = await registry.attach(canvas, connection(new FakeSocket()))
  assert.is.not(next, room, 'a new room')
  assert.is(store.loads, loadsBefore + 1, 'loaded again')
})

test('a joiner of an unbuilt room that sent no sync step 1 yet is asked for its state when the room is built', async ({
  store,
  registry,
  canvas,
}) => {
  const stored = await storeNamedCanvas(store, canvas)
  const quietSocket = new FakeSocket()
  const quiet = connection(quietSocket)
  const room = await registry.attach(canvas, quiet)
  const editor = connection(new FakeSocket())
  await registry.attach(canvas, editor)
  assert.is(step1s(quietSocket).length, 0)

  const edit = new Y.Doc()
  Y.applyUpdate(edit, Y.encodeStateAsUpdate(stored))
  const before = Y.encodeStateVector(edit)
  edit.getMap('meta').set('title', 'changed')
  room.handleFrame(editor, updateMessage(Y.encodeStateAsUpdate(edit, before)))
  assert.ok(room.isBuilt, 'an update builds the document')
  const asked = step1s(quietSocket)[0]
  assert.ok(asked !== undefined, 'sync step 1 sent when the document was built')
  assert.equal(Y.decodeStateVector(syncPayload(asked)), Y.decodeStateVector(Y.encodeStateVector(stored)))
  await waitFor('edit relayed', () => (quietSocket.updates().length === 1 ? true : undefined))
})

test('a client already holding the canvas: its reply with the whole delete set is not journaled, relayed or refused', async ({
  store,
  registry,
  canvas,
}) => {
  const stored = new Y.Doc()
  stored.getText('t').insert(0, 'hello world, with history')
  stored.getText('t').delete(5, 7)
  await storeCompacted(store, canvas, stored)
  const journaled = (await store.journalStats(canvas)).entries

  const { room, viewer, viewerSocket, editor, editorSocket } = await viewerAndEditor(registry, canvas)
  // What a stock client holding the canvas answers to our sync step 1: no structs, the whole delete set.
  const reply = Y.encodeStateAsUpdate(stored, Y.encodeStateVector(stored))
  assert.ok(reply.length > 2, 'the reply carries the delete set')
  room.handleFrame(viewer, step2Message(reply))
  room.handleFrame(editor, step2Message(reply))
  room.handleFrame(editor, updateMessage(Y.encodeStateAsUpdate(stored)))
  await room.quiesce()
  assert.not.ok(viewer.desynced, 'the viewer is not refused')
  const rejections = viewerSocket.frames.filter(
    (frame) => frame[0] === MessageType.Notice && Buffer.from(frame).includes('update-rejected'),
  )
  assert.is(rejections.length, 0, 'no update-rejected notice')
  assert.is(viewerSocket.updates().length + editorSocket.updates().length, 0, 'nothing relayed')
  assert.is((await store.journalStats(canvas)).entries, journaled, 'nothing journaled')
})

test('an update is relayed only after its journal append committed', async ({ store, registry, canvas }) => {
  const { room, a, b, ca } = await twoEditors(registry, canvas)
  let open: () => void = () => undefined
  store.gate = new Promise((resolve) => {
    open = resolve
  })
  room.handleFrame(ca, updateMessage(someUpdate('hello')))
  // Let the journal's batch start and block on the gate; nothing may reach b or the document meanwhile.
  await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setImmediate(resolve))
  assert.is(b.updates().length, 0, 'relayed before durable')
  assert.is(room.doc.getMap('meta').get('name'), undefined, 'applied before durable')
  store.gate = null
  open()
  await waitFor('relay', () => (b.updates().length === 1 ? true : undefined))
  assert.is(room.doc.getMap('meta').get('name'), 'hello')
  assert.is(a.updates().length, 0, 'the sender does not get its own update back')
  const stored = await store.loadDocument(canvas)
  assert.is(stored.journal.length, 1)
})

test('a journaled update reaches the sockets before the room integrates it, and the room has it before any I/O', async ({
  registry,
  canvas,
}) => {
  const a = new FakeSocket()
  const ca = connection(a)
  const room = await registry.attach(canvas, ca)
  // b is written through a wire, as real sockets are: frames queue while it is corked and leave on uncork.
  const written: { bytes: number; roomHadIt: unknown }[] = []
  // What the room holds when the first immediate after the write runs (nothing of the event loop's comes sooner).
  let atNextImmediate: unknown = 'not yet'
  let corked = 0
  let queued = 0
  const wire = {
    cork: () => {
      corked++
    },
    uncork: () => {
      corked--
      if (corked === 0 && queued > 0) {
        written.push({ bytes: queued, roomHadIt: room.doc.getMap('meta').get('name') })
        queued = 0
        setImmediate(() => {
          atNextImmediate = room.doc.getMap('meta').get('name')
        })
      }
    },
    write: (chunk: Uint8Array) => {
      if (corked === 0) written.push({ bytes: chunk.length, roomHadIt: room.doc.getMap('meta').get('name') })
      else queued += chunk.length
      return true
    },
  }
  const b = new FakeSocket() as FakeSocket & { readyState: number }
  b.readyState = 1
  await registry.attach(
    canvas,
    new Connection(b as unknown as WebSocket, ca.principal, { kind: 'edit', role: 'editor' }, wire),
  )
  // What joining sent (sync step 1) leaves at the end of that tick.
  await new Promise((resolve) => setImmediate(resolve))
  written.length = 0
  room.handleFrame(ca, updateMessage(someUpdate('first out')))
  await waitFor('the relay written', () => (written.length > 0 ? true : undefined))
  assert.is(written.length, 1, 'one write on the socket')
  assert.is(written[0]?.roomHadIt, undefined, 'written before Y.applyUpdate')
  await waitFor('the next immediate', () => (atNextImmediate === 'not yet' ? undefined : true))
  assert.is(atNextImmediate, 'first out', 'integrated in the same tick, before any immediate or I/O')
  await room.quiesce()
})

test('an update that fails to integrate after its relay closes its sender with 4400; the room carries on', async ({
  store,
  registry,
  canvas,
}) => {
  const { room, a, b, ca, cb } = await twoEditors(registry, canvas)
  let failures = 1
  room.doc.on('update', () => {
    if (failures-- > 0) throw new Error('observer failed')
  })
  room.handleFrame(ca, updateMessage(someUpdate('breaks')))
  await waitFor('sender closed', () => a.closed ?? undefined)
  assert.is(a.closed?.code, CloseCode.BadMessage)
  assert.is(b.updates().length, 1, 'relayed before the failure')
  const later = new Y.Doc()
  later.getMap('meta').set('owner', 'b')
  room.handleFrame(cb, updateMessage(Y.encodeStateAsUpdate(later)))
  await room.quiesce()
  assert.is(room.doc.getMap('meta').get('owner'), 'b', 'a later update is applied')
  assert.is(b.closed, null, 'other clients carry on')
  assert.is((await store.loadDocument(canvas)).journal.length, 2, 'both were journaled')
})

test('a failed journal append applies and relays nothing and closes the sender with 1011', async ({
  store,
  registry,
  canvas,
}) => {
  const { room, a, b, ca } = await twoEditors(registry, canvas)
  store.failAppends = 1
  room.handleFrame(ca, updateMessage(someUpdate('lost?')))
  await waitFor('sender closed', () => a.closed ?? undefined)
  assert.is(a.closed?.code, CloseCode.InternalError)
  assert.is(b.updates().length, 0)
  assert.is(room.doc.getMap('meta').get('name'), undefined)
  assert.is(b.closed, null, 'other clients carry on')
})

test('viewers are told their updates are rejected; nothing is stored', async ({
  store,
  registry,
  canvas,
}) => {
  const v = new FakeSocket()
  const cv = connection(v, 'viewer')
  const room = await registry.attach(canvas, cv)
  room.handleFrame(cv, updateMessage(someUpdate('sneaky')))
  await room.quiesce()
  const notices = v.frames.filter((frame) => frame[0] === MessageType.Notice)
  assert.is(notices.length, 2, 'read-only notice on join, update-rejected after the update')
  assert.is((await store.loadDocument(canvas)).journal.length, 0)
  assert.is(room.doc.getMap('meta').get('name'), undefined)
})

test('a failed load rejects every waiter, leaves no room, and the next connect retries', async ({
  store,
  registry,
  canvas,
}) => {
  store.failLoads = 1
  const attempts = await Promise.allSettled([
    registry.attach(canvas, connection(new FakeSocket())),
    registry.attach(canvas, connection(new FakeSocket())),
  ])
  assert.ok(
    attempts.every((attempt) => attempt.status === 'rejected' && attempt.reason instanceof RoomLoadError),
  )
  assert.is(registry.size, 0)
  const room = await registry.attach(canvas, connection(new FakeSocket()))
  assert.ok(room)
  assert.is(store.loads, 2)
})

test('the last client leaving unloads the room after compacting its journal into state', async ({
  store,
  registry,
  canvas,
}) => {
  const a = new FakeSocket()
  const ca = connection(a)
  const room = await registry.attach(canvas, ca)
  room.handleFrame(ca, updateMessage(someUpdate('kept')))
  await room.quiesce()
  assert.is((await store.journalStats(canvas)).entries, 1)
  registry.detach(room, ca)
  await waitFor('unload', () => (registry.size === 0 ? true : undefined))
  const stored = await store.loadDocument(canvas)
  assert.is(stored.journal.length, 0, 'journal folded')
  assert.ok(stored.state !== null)
  const doc = new Y.Doc()
  Y.applyUpdate(doc, stored.state)
  assert.is(doc.getMap('meta').get('name'), 'kept')
})

/** Sends `edits` made on `client` to the room one update at a time, each journaled before the next. */
async function sendEdits(room: Room, sender: Connection, client: Y.Doc, edits: readonly (() => void)[]) {
  for (const edit of edits) {
    const before = Y.encodeStateVector(room.doc)
    edit()
    room.handleFrame(sender, updateMessage(Y.encodeStateAsUpdate(client, before)))
    await room.quiesce()
  }
}

/** A folder that records what it was given and folds inline. */
function recordingFolder(): StateFolder & { folds: { base: Uint8Array | null; updates: number }[] } {
  const inline = new InlineStateFolder()
  const folds: { base: Uint8Array | null; updates: number }[] = []
  return {
    folds,
    fold: (base, updates) => {
      folds.push({ base, updates: updates.length })
      return inline.fold(base, updates)
    },
    close: () => inline.close(),
  }
}

const canvasContent = (doc: Y.Doc) => ({
  meta: doc.getMap('meta').toJSON(),
  blocks: doc.getMap('blocks').toJSON(),
  notes: doc.getText('notes').toString(),
})

/** The canvas as storage holds it after a compaction: a state and no journal left. */
async function compactedDoc(store: DocumentStore, canvas: string): Promise<Y.Doc> {
  const stored = await store.loadDocument(canvas)
  assert.is(stored.journal.length, 0, 'every entry folded')
  assert.ok(stored.state !== null)
  const doc = new Y.Doc()
  Y.applyUpdate(doc, stored.state)
  return doc
}

test('a large canvas with a short journal is compacted by folding the stored rows, equal to the live document', async ({
  store,
  canvas,
}) => {
  const folder = recordingFolder()
  const registry = makeRegistry(store, new MemoryBus(), { folder })
  const filler = ' lorem ipsum'.repeat(2_000)
  const client = new Y.Doc()
  client.getMap('meta').set('name', 'stored')
  client.getText('notes').insert(0, `hello world${filler}`)
  await storeCompacted(store, canvas, client)
  const a = connection(new FakeSocket())
  const room = await registry.attach(canvas, a)
  // A partial text delete, map overwrites and a removed key.
  await sendEdits(room, a, client, [
    () => client.getText('notes').delete(0, 6),
    () => client.getMap('meta').set('name', 'renamed'),
    () => client.getMap('blocks').set('chart-1', { x: 0, w: 6 }),
    () => client.getMap('blocks').set('table-1', { x: 6, w: 6 }),
    () => client.getMap('blocks').delete('chart-1'),
  ])
  assert.is((await store.journalStats(canvas)).entries, 5)
  await room.compact()
  assert.is(folder.folds.length, 1, 'folded, not encoded from the live document')
  assert.is(folder.folds[0]?.updates, 5, 'the five journal entries after the stored state')
  assert.ok(folder.folds[0]?.base !== null, 'on top of the stored state')
  const folded = await compactedDoc(store, canvas)
  assert.equal(canvasContent(folded), {
    meta: { name: 'renamed' },
    blocks: { 'table-1': { x: 6, w: 6 } },
    notes: `world${filler}`,
  })
  assert.equal(canvasContent(folded), canvasContent(room.doc))
  assert.equal(Y.encodeStateVector(folded), Y.encodeStateVector(room.doc))
  assert.not.ok(room.needsCompaction)
  await registry.shutdown()
})

test("a room loaded from a journal alone learns its size from a joiner's full sync and then folds", async ({
  store,
  canvas,
}) => {
  const folder = recordingFolder()
  const registry = makeRegistry(store, new MemoryBus(), { folder })
  const client = new Y.Doc()
  client.getText('notes').insert(0, ' lorem ipsum'.repeat(2_000))
  await store.appendJournal([{ canvasId: canvas, update: Y.encodeStateAsUpdate(client), authorId: null }])
  const a = connection(new FakeSocket())
  const room = await registry.attach(canvas, a)
  // A fresh client asks for everything: the room encodes its whole state for it and so knows its size.
  const joinerSocket = new FakeSocket()
  const joiner = connection(joinerSocket)
  await registry.attach(canvas, joiner)
  room.handleFrame(joiner, EMPTY_STEP1)
  assert.ok(
    joinerSocket.frames.some((frame) => frame[0] === MessageType.Sync && frame[1] === SyncMessageType.Step2),
  )
  await sendEdits(room, a, client, [() => client.getMap('meta').set('name', 'renamed')])
  await room.compact()
  assert.is(folder.folds.length, 1, 'folded off the loop')
  assert.equal(folder.folds[0], { base: null, updates: 2 })
  const folded = await compactedDoc(store, canvas)
  assert.equal(canvasContent(folded), canvasContent(room.doc))
  await registry.shutdown()
})

test('a small canvas with a long journal is compacted by encoding the live document', async ({
  store,
  canvas,
}) => {
  const folder = recordingFolder()
  const registry = makeRegistry(store, new MemoryBus(), { folder })
  const client = await storeNamedCanvas(store, canvas)
  const a = connection(new FakeSocket())
  const room = await registry.attach(canvas, a)
  await sendEdits(
    room,
    a,
    client,
    Array.from({ length: 20 }, (_, i) => () => client.getMap('meta').set('name', `name ${i}`)),
  )
  await room.compact()
  assert.is(folder.folds.length, 0)
  const folded = await compactedDoc(store, canvas)
  assert.equal(canvasContent(folded), canvasContent(room.doc))
  assert.is(folded.getMap('meta').get('name'), 'name 19')
  await registry.shutdown()
})

test('a failed compaction keeps the room loaded and retries; no data is lost', async ({
  store,
  registry,
  canvas,
}) => {
  const a = new FakeSocket()
  const ca = connection(a)
  const room = await registry.attach(canvas, ca)
  room.handleFrame(ca, updateMessage(someUpdate('safe')))
  await room.quiesce()
  store.failCompactions = 1
  registry.detach(room, ca)
  await waitFor('first unload attempt', () => (store.failCompactions === 0 ? true : undefined))
  assert.is(registry.peek(canvas), room, 'still loaded after the failure')
  await waitFor('unload on retry', () => (registry.size === 0 ? true : undefined), 5000)
  assert.is((await store.journalStats(canvas)).entries, 0)
})

test('reconnect during unload gets the reloaded document', async ({ registry, canvas }) => {
  const a = new FakeSocket()
  const ca = connection(a)
  const room = await registry.attach(canvas, ca)
  room.handleFrame(ca, updateMessage(someUpdate('again')))
  await room.quiesce()
  registry.detach(room, ca)
  const next = await registry.attach(canvas, connection(new FakeSocket()))
  assert.is(next.doc.getMap('meta').get('name'), 'again')
})

test("an update made on one instance reaches the other instance's extensions with its author", async ({
  db,
  canvas,
}) => {
  const hub = new MemoryBusHub()
  const seen: Array<{ authorId: string | null; origin: string }> = []
  const recorder: RoomExtension = {
    name: 'recorder',
    afterUpdate: (_room, accepted) =>
      seen.push({ authorId: accepted.authorId, origin: accepted.origin.kind }),
  }
  const instance = (extensions: RoomExtension[]) =>
    makeRegistry(new SqlDocumentStore(db), new MemoryBus({ hub }), { extensions })
  const a = instance([])
  const b = instance([recorder])
  try {
    const writer = connection(new FakeSocket())
    const roomA = await a.attach(canvas, writer)
    await b.attach(canvas, connection(new FakeSocket()))
    roomA.handleFrame(writer, updateMessage(someUpdate('from A')))
    await waitFor('remote update on B', () => (seen.length > 0 ? true : undefined))
    assert.equal(seen, [{ authorId: writer.principal.userId, origin: 'remote' }])
  } finally {
    await a.shutdown()
    await b.shutdown()
  }
})

/** Loads three new canvases and journals one edit on each (so each needs a compaction). */
async function editThreeCanvases(registry: RoomRegistry): Promise<string[]> {
  const canvases = [randomUUID(), randomUUID(), randomUUID()]
  for (const canvas of canvases) {
    const writer = connection(new FakeSocket())
    const room = await registry.attach(canvas, writer)
    room.handleFrame(writer, updateMessage(someUpdate(canvas)))
    await room.quiesce()
  }
  return canvases
}

test('the periodic sweep compacts every loaded room, one at a time, while they stay loaded', async ({
  db,
}) => {
  const store = new SqlDocumentStore(db)
  const bus = new MemoryBus()
  const registry = makeRegistry(store, bus, { unloadGraceMs: 60_000, compactIntervalMs: 50 })
  try {
    const canvases = await editThreeCanvases(registry)
    await waitFor('every journal folded', async () => {
      const stats = await Promise.all(canvases.map((canvas) => store.journalStats(canvas)))
      return stats.every((stat) => stat.entries === 0) ? true : undefined
    })
    assert.is(registry.size, 3, 'compaction does not unload')
    for (const canvas of canvases) assert.ok((await store.loadDocument(canvas)).state !== null)
  } finally {
    await registry.shutdown()
    await bus.close()
  }
})

test("a sweep lets the event loop run between two rooms' compactions", async ({ db }) => {
  const store = new SteerableStore(new SqlDocumentStore(db))
  // Records, at each compaction after the first, whether a macrotask queued at the previous one had run.
  let ticked: boolean | null = null
  const ranBetween: boolean[] = []
  const compact = store.compact.bind(store)
  store.compact = async (canvasId, state, upToSeq) => {
    if (ticked !== null) ranBetween.push(ticked)
    ticked = false
    setImmediate(() => {
      ticked = true
    })
    return compact(canvasId, state, upToSeq)
  }
  const bus = new MemoryBus()
  const registry = makeRegistry(store, bus, { unloadGraceMs: 60_000, compactIntervalMs: 50 })
  try {
    await editThreeCanvases(registry)
    await waitFor('three compactions', () => (ranBetween.length >= 2 ? true : undefined))
    assert.ok(
      ranBetween.every((ran) => ran),
      `the loop ran between compactions: ${JSON.stringify(ranBetween)}`,
    )
  } finally {
    await registry.shutdown()
    await bus.close()
  }
})

test.run()
