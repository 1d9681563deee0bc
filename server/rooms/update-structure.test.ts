import * as encoding from 'lib0/encoding'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { type DecodedUpdate, MAX_VALUE_DEPTH, readUpdateStructure } from './update-structure.ts'

/**
 * readUpdateStructure must refuse exactly what Y.decodeUpdate refuses and read the same structure from the rest:
 * checked on real updates holding every struct and content kind, and on thousands of corrupted copies of them.
 */

interface Projection {
  readonly structs: readonly (readonly unknown[])[]
  readonly deletes: readonly (readonly unknown[])[]
}

const idOf = (id: Y.ID | null): readonly number[] | null => (id === null ? null : [id.client, id.clock])

function project(decoded: DecodedUpdate): Projection {
  return {
    structs: decoded.structs.map((struct) =>
      struct.kind === 'item'
        ? [
            'item',
            ...idOf(struct.id)!,
            struct.length,
            idOf(struct.origin),
            idOf(struct.rightOrigin),
            struct.parent instanceof Y.ID ? idOf(struct.parent) : struct.parent,
            struct.parentSub,
          ]
        : [struct.kind, ...idOf(struct.id)!, struct.length],
    ),
    deletes: [...decoded.deletes].map(([client, ranges]) => [client, ranges.map((r) => [r.clock, r.len])]),
  }
}

function projectYjs(update: Uint8Array): Projection {
  const { structs, ds } = Y.decodeUpdate(update)
  return {
    structs: structs.map((struct) => {
      if (struct instanceof Y.Item) {
        const parent: unknown = struct.parent
        return [
          'item',
          ...idOf(struct.id)!,
          struct.length,
          idOf(struct.origin),
          idOf(struct.rightOrigin),
          parent instanceof Y.ID ? idOf(parent) : parent,
          struct.parentSub,
        ]
      }
      return [struct instanceof Y.Skip ? 'skip' : 'gc', ...idOf(struct.id)!, struct.length]
    }),
    deletes: [...ds.clients].map(([client, items]) => [client, items.map((item) => [item.clock, item.len])]),
  }
}

type Outcome =
  | { readonly ok: true; readonly value: Projection }
  | { readonly ok: false; readonly error: string }

function outcome(read: () => Projection): Outcome {
  try {
    return { ok: true, value: read() }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) }
  }
}

/** One map entry `key` of root `root` whose info byte and content are written by hand (no origins). */
function craftedUpdate(contentRef: number, writeContent: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, 1) // one struct group
  encoding.writeVarUint(encoder, 1) // one struct
  encoding.writeVarUint(encoder, 77) // client
  encoding.writeVarUint(encoder, 0) // clock
  encoding.writeUint8(encoder, contentRef | 0b0010_0000) // names its parent, has a parentSub
  encoding.writeVarUint(encoder, 1) // parent is a root type, by name
  encoding.writeVarString(encoder, 'root')
  encoding.writeVarString(encoder, 'key')
  writeContent(encoder)
  encoding.writeVarUint(encoder, 0) // empty delete set
  return encoding.toUint8Array(encoder)
}

/** A map entry written as legacy ContentJSON (Yjs no longer writes it, but still reads it). */
function jsonContentUpdate(): Uint8Array {
  return craftedUpdate(2, (encoder) => {
    encoding.writeVarUint(encoder, 3) // three JSON values
    encoding.writeVarString(encoder, '{"a":[1,2,{"b":null}]}')
    encoding.writeVarString(encoder, 'undefined')
    encoding.writeVarString(encoder, '"text"')
  })
}

/** Real updates between them holding every struct kind and every content kind Yjs reads. */
function corpus(): Uint8Array[] {
  const updates: Uint8Array[] = []
  const doc = new Y.Doc()
  doc.on('update', (update: Uint8Array) => updates.push(update))
  const map = doc.getMap('m')
  map.set('int', 42)
  map.set('negative', -1234567)
  map.set('float', 1.5)
  map.set('double', Math.PI)
  map.set('big', 2n ** 40n)
  map.set('flags', [true, false, null, undefined])
  map.set('text', 'héllo 🦜 wörld')
  map.set('object', { a: [1, { b: 'c' }], d: { e: [[], {}] }, bytes: new Uint8Array([9, 8]) })
  map.set('binary', new Uint8Array([1, 2, 3]))
  map.set('sub', new Y.Doc({ meta: { kind: 'sub' } }))
  const text = doc.getText('t')
  text.insert(0, 'hello 👋 wörld 𝄞')
  text.format(0, 5, { bold: true })
  text.insertEmbed(3, { image: 'x.png' })
  text.delete(2, 3)
  const xml = doc.getXmlFragment('x')
  const paragraph = new Y.XmlElement('p')
  paragraph.insert(0, [new Y.XmlText('para')])
  xml.insert(0, [paragraph])
  const array = doc.getArray<unknown>('a')
  array.push([new Y.XmlHook('hook')])
  array.push([new Y.Map(), new Y.Array(), new Y.Text('inner'), 'plain'])
  const nested = new Y.Map<number>()
  map.set('nested', nested)
  nested.set('x', 1)
  map.delete('nested')
  map.set('int', 43)
  array.delete(3, 1)
  updates.push(Y.encodeStateAsUpdate(doc))

  // A second client, and a merged update with a gap (a Skip) between two of its updates.
  const other = new Y.Doc()
  Y.applyUpdate(other, Y.encodeStateAsUpdate(doc))
  const own: Uint8Array[] = []
  other.on('update', (update: Uint8Array) => own.push(update))
  const list = other.getArray<string>('list')
  list.insert(0, ['a'])
  list.insert(1, ['b'])
  list.insert(2, ['c'])
  list.delete(0, 1)
  const [first, , third] = own
  if (first === undefined || third === undefined) throw new Error('expected three updates')
  updates.push(Y.mergeUpdates([first, third]))
  updates.push(Y.mergeUpdates(own))
  updates.push(Y.encodeStateAsUpdate(other, Y.encodeStateVector(doc)))
  updates.push(Y.encodeStateAsUpdate(other))
  updates.push(jsonContentUpdate())
  return updates
}

test('the corpus holds every struct kind and every content kind', () => {
  const kinds = new Set<string>()
  for (const update of corpus()) {
    for (const struct of Y.decodeUpdate(update).structs) {
      kinds.add(struct instanceof Y.Item ? struct.content.constructor.name : struct.constructor.name)
    }
  }
  const expected = [
    'GC',
    'Skip',
    'ContentDeleted',
    'ContentJSON',
    'ContentBinary',
    'ContentString',
    'ContentEmbed',
    'ContentFormat',
    'ContentType',
    'ContentAny',
    'ContentDoc',
  ]
  for (const kind of expected) assert.ok(kinds.has(kind), `corpus has ${kind}`)
})

test('real updates: the same structs and deletions as Y.decodeUpdate', () => {
  for (const update of corpus()) {
    assert.equal(project(readUpdateStructure(update)), projectYjs(update))
  }
})

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function mutate(update: Uint8Array, next: () => number): Uint8Array {
  const at = Math.floor(next() * update.length)
  const byte = Math.floor(next() * 256)
  switch (Math.floor(next() * 4)) {
    case 0: {
      const changed = Uint8Array.from(update)
      changed[at] = byte
      return changed
    }
    case 1:
      return update.slice(0, at)
    case 2:
      return Uint8Array.from([...update.subarray(0, at), byte, ...update.subarray(at)])
    default:
      return Uint8Array.from([...update.subarray(0, at), ...update.subarray(at + 1)])
  }
}

test('corrupted updates: refused exactly when Y.decodeUpdate throws, else read the same', () => {
  const next = random(20261128)
  let refused = 0
  let compared = 0
  for (const original of corpus()) {
    for (let round = 0; round < 400; round++) {
      // One to three corruptions, so some land past the first.
      let update = mutate(original, next)
      if (next() < 0.5) update = mutate(update, next)
      if (next() < 0.25) update = mutate(update, next)
      const ours = outcome(() => project(readUpdateStructure(update)))
      const theirs = outcome(() => projectYjs(update))
      const hex = Buffer.from(update).toString('hex')
      assert.is(ours.ok, theirs.ok, `${hex}: ours ${JSON.stringify(ours)}, Yjs ${JSON.stringify(theirs)}`)
      if (ours.ok && theirs.ok) assert.equal(ours.value, theirs.value, hex)
      if (ours.ok) compared++
      else refused++
    }
  }
  // Both outcomes must be well represented for the comparison to mean anything.
  assert.ok(refused > 500, `refused ${refused}`)
  assert.ok(compared > 500, `compared ${compared}`)
})

/** For content refs that both readers refuse before reading any content. */
function noContent(): void {
  // Nothing to write.
}

/** Both readers accept `update` and read the same, or both refuse it. */
function assertAgree(update: Uint8Array, expectOk: boolean, what: string): void {
  const ours = outcome(() => project(readUpdateStructure(update)))
  const theirs = outcome(() => projectYjs(update))
  assert.is(theirs.ok, expectOk, `${what}: Yjs ${JSON.stringify(theirs)}`)
  assert.is(ours.ok, expectOk, `${what}: ours ${JSON.stringify(ours)}`)
  if (ours.ok && theirs.ok) assert.equal(ours.value, theirs.value, what)
}

test('hand-written contents at the edges of what Yjs reads', () => {
  const subdoc = (writeOptions: (encoder: encoding.Encoder) => void) =>
    craftedUpdate(9, (encoder) => {
      encoding.writeVarString(encoder, 'guid')
      writeOptions(encoder)
    })
  assertAgree(
    subdoc((e) => encoding.writeAny(e, { gc: false })),
    true,
    'subdocument with options',
  )
  assertAgree(
    subdoc((e) => encoding.writeAny(e, 5)),
    true,
    'subdocument whose options are a number',
  )
  assertAgree(
    subdoc((e) => encoding.writeAny(e, null)),
    false,
    'subdocument whose options are null',
  )
  assertAgree(
    subdoc((e) => encoding.writeUint8(e, 127)),
    false,
    'subdocument whose options are undefined',
  )
  const typed = (typeRef: number, name?: string) =>
    craftedUpdate(7, (encoder) => {
      encoding.writeVarUint(encoder, typeRef)
      if (name !== undefined) encoding.writeVarString(encoder, name)
    })
  assertAgree(typed(3, 'p'), true, 'XML element with its name')
  assertAgree(typed(5, 'hook'), true, 'XML hook with its name')
  assertAgree(typed(6), true, 'XML text')
  assertAgree(typed(7), false, 'unknown type ref')
  const value = (write: (encoder: encoding.Encoder) => void) =>
    craftedUpdate(8, (encoder) => {
      encoding.writeVarUint(encoder, 1)
      write(encoder)
    })
  assertAgree(
    value((e) => encoding.writeUint8(e, 115)),
    false,
    'unknown value tag',
  )
  assertAgree(
    value((e) => {
      encoding.writeUint8(e, 119)
      encoding.writeVarUint8Array(e, Uint8Array.of(0xed, 0xa0, 0x80))
    }),
    false,
    'a surrogate encoded in UTF-8',
  )
  assertAgree(craftedUpdate(10, noContent), false, 'content ref 10 (a Skip is not content)')
  assertAgree(craftedUpdate(11, noContent), false, 'unknown content ref')
  assertAgree(
    craftedUpdate(2, (e) => {
      encoding.writeVarUint(e, 1)
      encoding.writeVarString(e, '{not json')
    }),
    false,
    'ContentJSON that is not JSON',
  )
})

function nestedArrays(depth: number): unknown {
  let value: unknown = 'core'
  for (let i = 0; i < depth; i++) value = [value]
  return value
}

test(`values nested up to ${MAX_VALUE_DEPTH} deep are read; deeper ones are refused by name`, () => {
  const doc = new Y.Doc()
  doc.getMap('m').set('deep', nestedArrays(MAX_VALUE_DEPTH))
  const atLimit = Y.encodeStateAsUpdate(doc)
  assert.equal(project(readUpdateStructure(atLimit)), projectYjs(atLimit))
  const deeper = new Y.Doc()
  deeper.getMap('m').set('deep', nestedArrays(MAX_VALUE_DEPTH + 1))
  assert.throws(
    () => readUpdateStructure(Y.encodeStateAsUpdate(deeper)),
    (error: unknown) =>
      error instanceof Error && error.message.includes(`nested deeper than ${MAX_VALUE_DEPTH}`),
  )
})

test('strings are measured in UTF-16 code units, as Yjs counts clocks', () => {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, 'a😀é𝄞\u{feff}b')
  const update = Y.encodeStateAsUpdate(doc)
  const [item] = readUpdateStructure(update).structs
  assert.is(item?.length, 'a😀é𝄞\u{feff}b'.length)
  assert.equal(project(readUpdateStructure(update)), projectYjs(update))
})

test.run()
