import * as encoding from 'lib0/encoding'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { MessageType, SyncMessageType } from '../../shared/protocol.ts'
import {
  DEFAULT_INBOUND_LIMITS,
  decodeInbound,
  encodeAwarenessEntries,
  isEmptyUpdate,
  ProtocolError,
} from './inbound.ts'

function frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  write(encoder)
  return encoding.toUint8Array(encoder)
}

const awareness = (payload: Uint8Array) =>
  frame((e) => {
    encoding.writeVarUint(e, MessageType.Awareness)
    encoding.writeVarUint8Array(e, payload)
  })

function refused(data: Uint8Array, reason: string): void {
  assert.throws(
    () => decodeInbound(data),
    (error: unknown) => error instanceof ProtocolError && error.message.includes(reason),
    reason,
  )
}

test('valid sync, update, awareness and query-awareness frames decode', () => {
  const doc = new Y.Doc()
  doc.getMap('m').set('k', 1)
  const update = Y.encodeStateAsUpdate(doc)
  const updateFrame = frame((e) => {
    encoding.writeVarUint(e, MessageType.Sync)
    encoding.writeVarUint(e, SyncMessageType.Update)
    encoding.writeVarUint8Array(e, update)
  })
  const message = decodeInbound(updateFrame)
  assert.is(message.type, 'update')
  if (message.type === 'update') {
    assert.equal(message.update, update)
    assert.equal(
      message.decoded.structs.length,
      Y.decodeUpdate(update).structs.length,
      'decoded once, shared',
    )
  }
  const entries = [{ clientId: 7, clock: 3, state: { cursor: { x: 1 } } }]
  const decoded = decodeInbound(awareness(encodeAwarenessEntries(entries)))
  assert.is(decoded.type, 'awareness')
  if (decoded.type === 'awareness') assert.equal(decoded.entries, entries)
  assert.equal(decodeInbound(Uint8Array.of(MessageType.QueryAwareness)), { type: 'query-awareness' })
})

test('awareness limits: state size, entries per message, JSON objects only', () => {
  const big = { blob: 'x'.repeat(DEFAULT_INBOUND_LIMITS.maxAwarenessStateChars) }
  refused(awareness(encodeAwarenessEntries([{ clientId: 1, clock: 1, state: big }])), 'state too large')
  const many = Array.from({ length: DEFAULT_INBOUND_LIMITS.maxAwarenessEntries + 1 }, (_, i) => ({
    clientId: i,
    clock: 1,
    state: {},
  }))
  refused(awareness(encodeAwarenessEntries(many)), 'states in one message')
  refused(awareness(encodeAwarenessEntries([{ clientId: 1, clock: 1, state: [1, 2] }])), 'object or null')
  refused(awareness(encodeAwarenessEntries([{ clientId: 1, clock: 1, state: 'hi' }])), 'object or null')
  // null means "this client left" and is allowed.
  assert.is(
    decodeInbound(awareness(encodeAwarenessEntries([{ clientId: 1, clock: 2, state: null }]))).type,
    'awareness',
  )
})

test('trailing bytes, unknown types and truncation are refused as a whole', () => {
  refused(Uint8Array.of(MessageType.QueryAwareness, 0), 'trailing bytes')
  refused(Uint8Array.of(MessageType.Sync, 9, 0), 'unknown sync message type')
  refused(Uint8Array.of(55), 'unknown message type')
  refused(Uint8Array.of(MessageType.Sync, SyncMessageType.Update, 10, 1), 'malformed message')
  refused(new Uint8Array(0), 'malformed message')
})

test('the empty update y-websocket clients send is recognised', () => {
  assert.ok(isEmptyUpdate(Y.encodeStateAsUpdate(new Y.Doc())))
  const doc = new Y.Doc()
  doc.getMap('m').set('k', 1)
  assert.not.ok(isEmptyUpdate(Y.encodeStateAsUpdate(doc)))
})

test.run()
