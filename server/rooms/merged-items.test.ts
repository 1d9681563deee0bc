import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { unlinkMergedItems } from './merged-items.ts'

/** The Item a map currently holds under `key` (Yjs keeps it in the type's `_map`). */
function mapItem(map: Y.Map<unknown>, key: string): Y.Item {
  const item = map._map.get(key)
  if (item === undefined) throw new Error(`no item under ${key}`)
  return item
}

test('an overwritten map value merged away no longer links to the value after it', () => {
  const source = new Y.Doc()
  const room = new Y.Doc()
  unlinkMergedItems(room)
  const relay = (): void => Y.applyUpdate(room, Y.encodeStateAsUpdate(source, Y.encodeStateVector(room)))
  const map = source.getMap('blocks')
  map.set('a', 'v0')
  relay()
  map.set('a', 'v1')
  relay()
  const second = mapItem(room.getMap('blocks'), 'a')
  map.set('a', 'v2')
  relay()
  map.set('a', 'v3')
  relay()
  // v1 was deleted by v2 and merged into v0's deleted run when v3 deleted v2 (or at once): it left the store.
  assert.is.not(Y.getItem(room.store, second.id), second, 'merged away')
  assert.is(second.right, null)
  assert.is(room.getMap('blocks').get('a'), 'v3')
})

test('without it, the merged-away Item still links to the Items after it (what the test above guards)', () => {
  const source = new Y.Doc()
  const room = new Y.Doc()
  const relay = (): void => Y.applyUpdate(room, Y.encodeStateAsUpdate(source, Y.encodeStateVector(room)))
  const map = source.getMap('blocks')
  for (const value of ['v0', 'v1']) {
    map.set('a', value)
    relay()
  }
  const second = mapItem(room.getMap('blocks'), 'a')
  for (const value of ['v2', 'v3']) {
    map.set('a', value)
    relay()
  }
  assert.is.not(Y.getItem(room.store, second.id), second)
  assert.is.not(second.right, null)
})

/** A small deterministic generator, so a failure replays. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state / 2 ** 31
  }
}

test('documents converge exactly as without it under random edits of maps, text, arrays and nested types', () => {
  const next = random(42)
  const pick = (n: number): number => Math.floor(next() * n)
  const editors = [new Y.Doc(), new Y.Doc(), new Y.Doc()]
  const guarded = new Y.Doc()
  const plain = new Y.Doc()
  unlinkMergedItems(guarded)
  for (let round = 0; round < 400; round++) {
    const editor = editors[pick(editors.length)] as Y.Doc
    const before = Y.encodeStateVector(editor)
    editor.transact(() => {
      const map = editor.getMap<unknown>('blocks')
      const text = editor.getText('notes')
      const list = editor.getArray<unknown>('order')
      switch (pick(6)) {
        case 0:
          map.set(`k${pick(4)}`, `v${round}`)
          break
        case 1:
          if (pick(2) === 0) map.delete(`k${pick(4)}`)
          else map.set(`nested${pick(2)}`, new Y.Map([['x', round]]))
          break
        case 2:
          text.insert(pick(text.length + 1), `t${round}`)
          break
        case 3:
          if (text.length > 0) text.delete(pick(text.length), 1 + pick(3))
          break
        case 4:
          list.insert(pick(list.length + 1), [round, `s${round}`])
          break
        default:
          if (list.length > 0) list.delete(pick(list.length), 1)
      }
    })
    const update = Y.encodeStateAsUpdate(editor, before)
    Y.applyUpdate(guarded, update)
    Y.applyUpdate(plain, update)
    // Other editors catch up now and then, so deletes and inserts interleave between clients.
    if (round % 7 === 0) for (const other of editors) Y.applyUpdate(other, Y.encodeStateAsUpdate(editor))
  }
  assert.equal(guarded.toJSON(), plain.toJSON())
  assert.equal(Y.encodeStateAsUpdate(guarded), Y.encodeStateAsUpdate(plain))
  assert.equal(Y.encodeStateVector(guarded), Y.encodeStateVector(plain))
})

test.run()
