import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseHexBytea, serializeHexBytea, transferableBuffers } from './bytea.ts'

const EVERY_BYTE = Uint8Array.from({ length: 256 }, (_, i) => i)

test('bytes survive the hex text format both ways, every byte value and none', () => {
  for (const bytes of [EVERY_BYTE, new Uint8Array(0), EVERY_BYTE.subarray(7, 19)]) {
    const text = serializeHexBytea(bytes)
    assert.ok(text.startsWith('\\x'))
    assert.is(text.length, 2 + bytes.length * 2)
    assert.equal([...parseHexBytea(text)], [...bytes])
  }
  assert.is(serializeHexBytea(Uint8Array.of(0, 0xab, 0xff)), '\\x00abff')
  assert.equal([...parseHexBytea('\\x00ABff')], [0, 0xab, 0xff], 'upper-case digits too')
})

test('text that is not hex bytea is refused, never turned into wrong bytes', () => {
  assert.throws(() => parseHexBytea('abc'), /expected hex output/)
  assert.throws(() => parseHexBytea('\\x0'), /odd number of hex digits/)
  assert.throws(() => parseHexBytea('\\x00zz'), /invalid hex digit/)
  assert.throws(() => serializeHexBytea('00'), /expected a Uint8Array/)
})

test('parsed bytes own their buffer, so the reply can move them without detaching anything else', () => {
  const small = parseHexBytea('\\x0102')
  const large = parseHexBytea(serializeHexBytea(new Uint8Array(100_000).fill(7)))
  assert.is(small.buffer.byteLength, 2, 'not a slice of a shared pool')
  const shared = new Uint8Array(new ArrayBuffer(16), 4, 8)
  const rows = [{ a: small, b: large, c: 'text', d: shared }, { a: small }, null, 3]
  const buffers = transferableBuffers(rows)
  assert.is(buffers.length, 2, 'each own buffer once; the view into a larger buffer is copied instead')
  assert.ok(buffers.includes(small.buffer) && buffers.includes(large.buffer))
})

test.run()
