import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { BusMessage } from '../ports.ts'
import { decodeBusMessage, encodeBusMessage } from './bus-codec.ts'

const test = suite('Redis bus frame codec')

const samples: BusMessage[] = [
  { kind: 'update', canvasId: 'c-1', origin: 'i-1', seq: 0, update: new Uint8Array(0) },
  {
    kind: 'update',
    canvasId: 'c-ü',
    origin: 'i-✓',
    seq: Number.MAX_SAFE_INTEGER,
    update: Uint8Array.of(0, 255, 7),
  },
  { kind: 'update', canvasId: 'c-4', origin: 'i-4', seq: 9, update: Uint8Array.of(1, 2), authorId: 'u-9' },
  { kind: 'locks', canvasId: 'c-5', origin: 'i-5' },
  { kind: 'awareness', canvasId: 'c-2', origin: 'i-2', payload: Uint8Array.of(0xc3, 0x28) },
  { kind: 'access', canvasId: null, userId: null, origin: 'i-3' },
  { kind: 'access', canvasId: 'c-3', userId: 'u-1', origin: 'i-3' },
  { kind: 'access', canvasId: '', userId: '', origin: '' },
]

test('round-trips every kind of message', () => {
  for (const message of samples) {
    const decoded = decodeBusMessage(encodeBusMessage(message))
    assert.equal(decoded, { ok: true, message })
  }
})

test('decoded payloads are plain Uint8Arrays that do not alias the frame', () => {
  const frame = encodeBusMessage({
    kind: 'update',
    canvasId: 'c',
    origin: 'o',
    seq: 1,
    update: Uint8Array.of(5),
  })
  const decoded = decodeBusMessage(frame)
  assert.ok(decoded.ok && decoded.message.kind === 'update')
  assert.is(decoded.message.update.constructor, Uint8Array)
  frame[frame.length - 1] = 6
  assert.equal(Array.from(decoded.message.update), [5])
})

test('every truncation of a frame is rejected without throwing', () => {
  for (const message of samples) {
    const frame = encodeBusMessage(message)
    // Update/awareness payloads run to the end of the frame, so cutting into them yields a valid shorter payload;
    // every cut before the payload must be refused.
    const payloadBytes =
      message.kind === 'update'
        ? message.update.length
        : message.kind === 'awareness'
          ? message.payload.length
          : 0
    for (let length = 0; length < frame.length - payloadBytes; length++) {
      const decoded = decodeBusMessage(frame.subarray(0, length))
      assert.is(decoded.ok, false, `${message.kind} truncated to ${length} bytes was accepted`)
    }
  }
})

test('rejects bad version, kind, flag, seq, UTF-8 and trailing bytes', () => {
  const access = encodeBusMessage({ kind: 'access', canvasId: null, userId: null, origin: 'o' })
  /** The current frame version, as the encoder writes it. */
  const version = access[0] ?? 0
  const update = encodeBusMessage({
    kind: 'update',
    canvasId: 'c',
    origin: 'o',
    seq: 3,
    update: Uint8Array.of(1),
  })
  const cases: Array<[string, Uint8Array, string]> = [
    ['version', Uint8Array.from([9, ...access.subarray(1)]), 'unsupported frame version'],
    ['kind', Uint8Array.from([version, 77, ...access.subarray(2)]), 'unknown kind'],
    ['flag', Uint8Array.from([...access.subarray(0, -2), 2, 0]), 'bad presence flag'],
    ['trailing', Uint8Array.from([...access, 0]), 'trailing bytes'],
    ['utf8', Uint8Array.of(version, 3, 0, 2, 0xc3, 0x28, 0, 0), 'not valid UTF-8'],
    ['empty', new Uint8Array(0), 'truncated'],
  ]
  // seq 1.5 and -1 in place of seq 3 (f64 at bytes 2 + (2 + 1) + (2 + 1) = 8..16).
  for (const bad of [1.5, -1, Number.NaN, 2 ** 60]) {
    const frame = new Uint8Array(update)
    new DataView(frame.buffer).setFloat64(8, bad)
    cases.push([`seq ${bad}`, frame, 'bad seq'])
  }
  for (const [what, frame, reason] of cases) {
    const decoded = decodeBusMessage(frame)
    assert.is(decoded.ok, false, `${what} was accepted`)
    if (!decoded.ok)
      assert.ok(decoded.reason.includes(reason), `${what}: unexpected reason ${decoded.reason}`)
  }
})

test('random garbage never throws', () => {
  for (let i = 0; i < 2000; i++) {
    const frame = Uint8Array.from({ length: i % 40 }, () => Math.floor(Math.random() * 256))
    // Make half of them start like a real frame so the decoder gets past the version byte.
    if (i % 2 === 0 && frame.length > 0)
      frame[0] = encodeBusMessage({ kind: 'locks', canvasId: 'c', origin: 'o' })[0] ?? 0
    decodeBusMessage(frame)
  }
})

test('encoding refuses invalid messages', () => {
  assert.throws(
    () =>
      encodeBusMessage({ kind: 'update', canvasId: 'c', origin: 'o', seq: -1, update: new Uint8Array(0) }),
    (error: unknown) => error instanceof RangeError,
  )
  assert.throws(
    () => encodeBusMessage({ kind: 'access', canvasId: 'x'.repeat(70_000), userId: null, origin: 'o' }),
    (error: unknown) => error instanceof RangeError,
  )
})

test.run()
