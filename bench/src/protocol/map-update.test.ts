import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { AwarenessEncoder, checkAgainstYjs, MapSetEncoder } from './map-update.ts'

const bytes = (u: Uint8Array): number[] => [...u]

test('checkAgainstYjs passes (300 sets, clocks past 127) and for a single set', () => {
  checkAgainstYjs()
  checkAgainstYjs(1)
})

test("MapSetEncoder writes Yjs' own bytes for another client, map, key and non-ASCII values", () => {
  const doc = new Y.Doc()
  doc.clientID = 0xfffffff0 // a five-byte varUint
  const updates: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => {
    updates.push(u)
  })
  const map = doc.getMap('blocks')
  const encoder = new MapSetEncoder(doc.clientID, 'blocks', 'ключ 🔑')
  const values = ['', 'é', '😀'.repeat(40), '@@T1,2,3;', 'x'.repeat(300)]
  for (let i = 0; i < 200; i++) {
    const value = `${values[i % values.length]}${i}`
    map.set('ключ 🔑', value)
    assert.equal(bytes(encoder.next(value)), bytes(updates[i] ?? new Uint8Array()), `set #${i}`)
  }
  assert.is(updates.length, 200)
  doc.destroy()
})

test("MapSetEncoder's updates applied to a fresh Y.Doc leave the last value, the older ones deleted", () => {
  const doc = new Y.Doc()
  const encoder = new MapSetEncoder(42, 'm', 'c7')
  for (let i = 0; i < 150; i++) {
    Y.applyUpdate(doc, encoder.next(`value ${i}`))
    assert.is(doc.getMap('m').get('c7'), `value ${i}`)
  }
  assert.equal(doc.getMap('m').toJSON(), { c7: 'value 149' })
  assert.equal([...Y.decodeStateVector(Y.encodeStateVector(doc)).entries()], [[42, 150]])
  // Nothing pending: every update's origin and delete set referred to what came before.
  assert.is(doc.store.pendingStructs, null)
  assert.is(doc.store.pendingDs, null)
  doc.destroy()
})

test('MapSetEncoder: several clients each on their own key of one map, and a merged update', () => {
  const a = new MapSetEncoder(1, 'm', 'c1')
  const b = new MapSetEncoder(2, 'm', 'c2')
  const doc = new Y.Doc()
  const all: Uint8Array[] = []
  for (let i = 0; i < 5; i++) {
    for (const update of [a.next(`a${i}`), b.next(`b${i}`)]) {
      all.push(update)
      Y.applyUpdate(doc, update)
    }
  }
  assert.equal(doc.getMap('m').toJSON(), { c1: 'a4', c2: 'b4' })
  const fromMerged = new Y.Doc()
  Y.applyUpdate(fromMerged, Y.mergeUpdates(all))
  assert.equal(fromMerged.getMap('m').toJSON(), { c1: 'a4', c2: 'b4' })
  doc.destroy()
  fromMerged.destroy()
})

test("AwarenessEncoder writes y-protocols' bytes and decodes with applyAwarenessUpdate", () => {
  const client = 987654321
  const sender = new Y.Doc()
  sender.clientID = client
  const senderAwareness = new Awareness(sender)
  const receiver = new Awareness(new Y.Doc())
  try {
    const encoder = new AwarenessEncoder(client)
    const states = [{ cursor: { x: 1, y: 2 } }, { cursor: { x: 3, y: 4 }, name: 'Zoë' }, { t: '@@T9,1,2;' }]
    for (const [i, state] of states.entries()) {
      const update = encoder.next(state)
      senderAwareness.setLocalState(state)
      assert.equal(bytes(update), bytes(encodeAwarenessUpdate(senderAwareness, [client])), `update #${i}`)
      applyAwarenessUpdate(receiver, update, 'test')
      assert.equal(receiver.getStates().get(client), state)
      assert.is(receiver.meta.get(client)?.clock, i + 1)
    }
    // An update with an older clock than the receiver's is ignored.
    const stale = new AwarenessEncoder(client).next({ stale: true })
    applyAwarenessUpdate(receiver, stale, 'test')
    assert.equal(receiver.getStates().get(client), { t: '@@T9,1,2;' })
  } finally {
    senderAwareness.destroy()
    receiver.destroy()
    sender.destroy()
    receiver.doc.destroy()
  }
})

test.run()
