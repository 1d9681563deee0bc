import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { AwarenessEncoder, MapSetEncoder } from './map-update.ts'
import { makeStamp, nowMicros, type Stamp, scanStamps } from './stamp.ts'
import { encodeSync, readHead, SyncStep } from './wire.ts'

const scan = (buf: Buffer, offset = 0): { found: number; stamps: Stamp[] } => {
  const stamps: Stamp[] = []
  const found = scanStamps(buf, offset, (s) => stamps.push(s))
  return { found, stamps }
}

// A realistic wall-clock time in microseconds (2026), past 2^32 and below 2^53.
const MICROS = 1_767_225_600_123_456

test('makeStamp writes the marker text', () => {
  assert.is(makeStamp(123, 4, 5), '@@T123,4,5;')
  assert.is(makeStamp(MICROS, 0, 0), `@@T${MICROS},0,0;`)
})

test('a stamp round trips exactly, wall-clock micros included', () => {
  const now = nowMicros()
  assert.ok(Number.isSafeInteger(now), 'nowMicros is a whole number of microseconds')
  for (const [micros, sender, seq] of [
    [MICROS, 17, 123_456],
    [now, 1, 0],
    [0, 0, 0],
  ] as const) {
    assert.equal(scan(Buffer.from(makeStamp(micros, sender, seq))), {
      found: 1,
      stamps: [{ micros, sender, seq }],
    })
  }
})

test('several stamps in one buffer, between binary bytes, are all found in order', () => {
  const buf = Buffer.concat([
    Buffer.from([0, 1, 0x2c, 0x3b, 0xff]),
    Buffer.from(makeStamp(MICROS, 1, 1)),
    Buffer.from([0x2c, 0x3b, 0x40, 0x40, 7]),
    Buffer.from(`${makeStamp(MICROS + 10, 2, 5)}padding${makeStamp(MICROS + 20, 3, 9)}`),
    Buffer.from([0x3b, 0]),
  ])
  assert.equal(scan(buf), {
    found: 3,
    stamps: [
      { micros: MICROS, sender: 1, seq: 1 },
      { micros: MICROS + 10, sender: 2, seq: 5 },
      { micros: MICROS + 20, sender: 3, seq: 9 },
    ],
  })
})

test('scanning starts at the offset', () => {
  const first = makeStamp(1, 1, 1)
  const buf = Buffer.from(`${first}${makeStamp(2, 2, 2)}`)
  assert.is(scan(buf, 0).found, 2)
  assert.equal(scan(buf, first.length), { found: 1, stamps: [{ micros: 2, sender: 2, seq: 2 }] })
  assert.equal(scan(buf, 1).stamps, [{ micros: 2, sender: 2, seq: 2 }], 'an offset inside a stamp skips it')
  assert.equal(scan(buf, buf.length), { found: 0, stamps: [] })
})

test('malformed and truncated stamps are not reported', () => {
  const buf = Buffer.from(`@@Tx1,2,3;@@T,2,3;@@T1,-2,3;${makeStamp(7, 8, 9)}@@T1,2,3`)
  assert.equal(scan(buf), { found: 1, stamps: [{ micros: 7, sender: 8, seq: 9 }] })
  assert.equal(scan(Buffer.from('no stamps here')), { found: 0, stamps: [] })
})

test('a malformed or cut-off stamp does not swallow the well-formed one after it', () => {
  const good = makeStamp(7, 8, 9)
  assert.equal(scan(Buffer.from(`@@T12;${good}`)).stamps, [{ micros: 7, sender: 8, seq: 9 }], 'no commas')
  assert.equal(scan(Buffer.from(`@@T1,2;${good}`)).stamps, [{ micros: 7, sender: 8, seq: 9 }], 'one comma')
  assert.equal(
    scan(Buffer.from(`@@T1,2${good}`)).stamps,
    [{ micros: 7, sender: 8, seq: 9 }],
    'cut off, no semicolon',
  )
  assert.equal(scan(Buffer.from(`@@T1,x,3;${good}${good}`)).found, 2, 'a bad digit')
})

test('a stamp in a map value survives Yjs re-encoding the update, after the frame headers', () => {
  const a = new MapSetEncoder(11, 'm', 'c1')
  const b = new MapSetEncoder(22, 'm', 'c2')
  a.next('first')
  const updates = [
    a.next(`${makeStamp(MICROS, 1, 7)}${'x'.repeat(200)}`),
    b.next(makeStamp(MICROS + 1, 2, 0)),
  ]
  // What a server sends on: the updates merged, or the document re-encoded.
  const doc = new Y.Doc()
  for (const u of updates) Y.applyUpdate(doc, u)
  for (const payload of [Y.mergeUpdates(updates), Y.encodeStateAsUpdate(doc)]) {
    const frame = Buffer.from(encodeSync('yws', 'doc', SyncStep.Update, payload))
    const head = readHead('yws', frame)
    const { stamps } = scan(frame, head.offset)
    assert.equal(
      stamps.sort((x, y) => x.sender - y.sender),
      [
        { micros: MICROS, sender: 1, seq: 7 },
        { micros: MICROS + 1, sender: 2, seq: 0 },
      ],
    )
  }
  doc.destroy()
})

test('a stamp in an awareness field is found in the awareness update', () => {
  const update = new AwarenessEncoder(5).next({ cursor: { x: 1, y: 2 }, t: makeStamp(MICROS, 3, 4) })
  assert.equal(scan(Buffer.from(update)), { found: 1, stamps: [{ micros: MICROS, sender: 3, seq: 4 }] })
})

test.run()
