import { test } from 'uvu'
import * as assert from 'uvu/assert'
import type { WebSocket } from 'ws'
import * as Y from 'yjs'
import { MemoryBus } from '../../persistence/memory/bus.ts'
import { CloseCode } from '../../shared/close-codes.ts'
import type { ServerNotice } from '../../shared/protocol.ts'
import { readNotice } from '../../test/support/collab-socket.ts'
import { testPrincipal } from '../../test/support/principal.ts'
import { waitFor } from '../../test/support/wait.ts'
import { createLogger } from '../logger.ts'
import { Connection } from '../rooms/connection.ts'
import type { RoomView } from '../rooms/extensions.ts'
import type { Principal } from '../rooms/principal.ts'
import type { AccessVerdict } from './access-check.ts'
import { recordConnectionGrant } from './connection-grant.ts'
import { AccessRevocationExtension, type ConnectionAccessCheck } from './revocation-extension.ts'

const log = createLogger('silent')
const CANVAS = '00000000-0000-4000-8000-0000000000c1'

/** The parts of a ws socket a Connection uses, recording what was sent and how it was closed. */
class FakeSocket {
  readonly sent: Uint8Array[] = []
  closed: { code: number; reason: string } | null = null
  bufferedAmount = 0
  pings = 0
  send(frame: Uint8Array): void {
    this.sent.push(frame)
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason }
  }
  ping(): void {
    this.pings++
  }
  notices(): ServerNotice[] {
    return this.sent.map(readNotice).filter((notice): notice is ServerNotice => notice !== null)
  }
}

interface PendingCheck {
  readonly userId: string
  readonly linkToken: string | null
  resolve(verdict: AccessVerdict): void
  reject(error: Error): void
}

/** A checker whose answers the test gives, in any order. */
class ScriptedChecker implements ConnectionAccessCheck {
  readonly pending: PendingCheck[] = []
  check(principal: Principal, _canvasId: string, linkToken: string | null): Promise<AccessVerdict> {
    return new Promise((resolve, reject) =>
      this.pending.push({ userId: principal.userId, linkToken, resolve, reject }),
    )
  }
  take(): PendingCheck {
    const next = this.pending.shift()
    if (next === undefined) throw new Error('no access check is pending')
    return next
  }
}

const READ: AccessVerdict = { kind: 'allow', access: { kind: 'read', role: 'viewer' } }
const EDIT: AccessVerdict = { kind: 'allow', access: { kind: 'edit', role: 'editor' } }

function connect(userId: string, access: 'edit' | 'read' = 'edit') {
  const socket = new FakeSocket()
  const principal = testPrincipal({
    userId,
    organizationId: 'org',
    displayName: userId,
    sessionHash: `hash-${userId}`,
  })
  const connection = new Connection(
    socket as unknown as WebSocket,
    principal,
    access === 'edit' ? { kind: 'edit', role: 'editor' } : { kind: 'read', role: 'viewer' },
  )
  return { socket, connection }
}

function room(...connections: Connection[]): RoomView {
  return {
    canvasId: CANVAS,
    doc: new Y.Doc(),
    connections: new Set(connections),
    submitServerUpdate: () => Promise.resolve(),
    broadcast: () => undefined,
  }
}

/** Lets promise callbacks run (no timer involved). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

function setup(now: () => number = () => performance.now()) {
  const checker = new ScriptedChecker()
  const extension = new AccessRevocationExtension({ checker, log, now })
  return { checker, extension }
}

test("a change of one user re-checks only that user's connections; a downgrade and an upgrade send one notice each", async () => {
  const { checker, extension } = setup()
  const alice = connect('alice')
  const bob = connect('bob')
  extension.accessChanged(room(alice.connection, bob.connection), { canvasId: null, userId: 'alice' })
  assert.is(checker.pending.length, 1)
  checker.take().resolve(READ)
  await settle()
  assert.is(alice.connection.state.kind, 'read-only')
  assert.equal(
    alice.socket.notices().map((notice) => notice.type),
    ['read-only'],
  )
  assert.is(bob.connection.state.kind, 'editing')
  assert.equal(bob.socket.notices(), [])

  extension.accessChanged(room(alice.connection), { canvasId: null, userId: 'alice' })
  checker.take().resolve(READ)
  await settle()
  assert.is(alice.socket.notices().length, 1, 'staying read-only sends nothing new')
  extension.accessChanged(room(alice.connection), { canvasId: null, userId: 'alice' })
  checker.take().resolve(EDIT)
  await settle()
  assert.is(alice.connection.state.kind, 'editing', 'an upgrade restores editing')
  assert.equal(
    alice.socket.notices().map((notice) => notice.type),
    ['read-only', 'editable'],
    'and tells the client',
  )
})

test('a change of the canvas re-checks everyone on it; close verdicts close with their code', async () => {
  const { checker, extension } = setup()
  const sockets = [connect('a'), connect('b'), connect('c')]
  extension.accessChanged(room(...sockets.map((s) => s.connection)), { canvasId: CANVAS, userId: null })
  assert.is(checker.pending.length, 3)
  const codes = [CloseCode.Unauthenticated, CloseCode.Forbidden, CloseCode.CanvasGone]
  for (const code of codes) checker.take().resolve({ kind: 'close', code, reason: 'test' })
  await settle()
  assert.equal(
    sockets.map((s) => s.socket.closed?.code),
    codes,
  )
  assert.ok(sockets.every((s) => !s.connection.isOpen))
})

test('only the latest check of a connection counts, whatever order the answers arrive in', async () => {
  const { checker, extension } = setup()
  const carol = connect('carol')
  const view = room(carol.connection)
  extension.accessChanged(view, { canvasId: null, userId: 'carol' })
  extension.accessChanged(view, { canvasId: null, userId: 'carol' })
  const older = checker.take()
  const newer = checker.take()
  newer.resolve(EDIT)
  await settle()
  older.resolve({ kind: 'close', code: CloseCode.Forbidden, reason: 'stale' })
  await settle()
  assert.ok(carol.connection.isOpen, 'the stale verdict (read before the newer change) was ignored')
  assert.is(carol.connection.state.kind, 'editing')
})

test('a failed check closes the connection (fail closed) so it is authorized afresh', async () => {
  const { checker, extension } = setup()
  const dave = connect('dave')
  extension.accessChanged(room(dave.connection), { canvasId: null, userId: null })
  checker.take().reject(new Error('database unavailable'))
  await settle()
  assert.is(dave.socket.closed?.code, CloseCode.InternalError)
})

test('public link connections are re-checked with their link token', async () => {
  const { checker, extension } = setup()
  const guest = connect('guest', 'read')
  recordConnectionGrant(guest.connection, { authorizedAt: 0, linkToken: 'L'.repeat(43) })
  extension.accessChanged(room(guest.connection), { canvasId: CANVAS, userId: null })
  assert.is(checker.take().linkToken, 'L'.repeat(43))
})

test('joining connections are re-checked only when a change may have raced their authorization', async () => {
  let clock = 1000
  const { checker, extension } = setup(() => clock)
  const bus = new MemoryBus()
  await extension.start(bus)
  const view = room()

  // Authorized long before this room loaded (e.g. a cached identity): nothing changed since, nothing to re-check.
  clock = 2000
  const quiet = connect('quiet')
  recordConnectionGrant(quiet.connection, { authorizedAt: 500, linkToken: null })
  extension.connectionAdded(view, quiet.connection)
  assert.is(checker.pending.length, 0, 'no change since its authorization: no extra work')

  // A user-wide change while this connection was between authorization and join.
  const raced = connect('raced')
  recordConnectionGrant(raced.connection, { authorizedAt: 1900, linkToken: null })
  await bus.publish({ kind: 'access', canvasId: null, userId: 'raced', origin: bus.instanceId })
  await waitFor('the global change to be seen', async () => {
    extension.connectionAdded(view, raced.connection)
    return checker.pending.length > 0 ? true : undefined
  })
  checker.take().resolve({ kind: 'close', code: CloseCode.Unauthenticated, reason: 'test' })
  await settle()
  assert.is(raced.socket.closed?.code, CloseCode.Unauthenticated)

  // A change of this canvas made elsewhere, before any room of it existed here: heard on the global channel.
  const sharing = connect('sharing')
  recordConnectionGrant(sharing.connection, { authorizedAt: 1950, linkToken: null })
  await bus.publish({ kind: 'access', canvasId: CANVAS, userId: null, origin: 'elsewhere' })
  await waitFor('the canvas change to be seen', async () => {
    extension.connectionAdded(view, sharing.connection)
    return checker.pending.length > 0 ? true : undefined
  })
  checker.take().resolve({ kind: 'close', code: CloseCode.Forbidden, reason: 'test' })
  await settle()
  assert.is(sharing.socket.closed?.code, CloseCode.Forbidden)

  const unknownGrant = connect('untracked')
  extension.connectionAdded(view, unknownGrant.connection)
  assert.is(checker.pending.length, 1, 'a connection without a recorded grant is always re-checked')
  await extension.close()
  await bus.close()
})

test('re-checks of one session on one canvas share a read in flight, never one older than a change', async () => {
  let clock = 1000
  const { checker, extension } = setup(() => clock)
  const bus = new MemoryBus()
  await extension.start(bus)
  // Sockets of one session join a canvas; a change of it was announced after their reads (at 900) started.
  const [a, b, c] = [connect('storm'), connect('storm'), connect('storm')]
  const view = room(a.connection, b.connection, c.connection)
  await bus.publish({ kind: 'access', canvasId: CANVAS, userId: null, origin: 'elsewhere' })
  await settle()
  clock = 2000
  for (const joined of [a, b]) {
    recordConnectionGrant(joined.connection, { authorizedAt: 900, linkToken: null })
    extension.connectionAdded(view, joined.connection)
  }
  assert.is(checker.pending.length, 1, 'one read for both')
  checker.take().resolve(READ)
  await settle()
  assert.is(a.connection.state.kind, 'read-only')
  assert.is(b.connection.state.kind, 'read-only', 'the shared answer applies to each connection')

  // A read in flight from before a change is not reused for the re-checks the change triggers.
  recordConnectionGrant(c.connection, { authorizedAt: 900, linkToken: null })
  extension.connectionAdded(view, c.connection)
  assert.is(checker.pending.length, 1)
  clock = 2500
  extension.accessChanged(view, { canvasId: CANVAS, userId: null })
  assert.ok(checker.pending.length > 1, 'the change started a fresh read')
  const stale = checker.take()
  for (const fresh of checker.pending.splice(0))
    fresh.resolve({ kind: 'close', code: CloseCode.Forbidden, reason: 'revoked' })
  stale.resolve(EDIT)
  await settle()
  for (const joined of [a, b, c]) assert.is(joined.socket.closed?.code, CloseCode.Forbidden)
  await extension.close()
  await bus.close()
})

test.run()
