import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { changesNothing } from './changes-nothing.ts'
import { readUpdateStructure } from './update-structure.ts'

/** A document with history: inserts from two clients and deletions. */
function documentWithHistory(): Y.Doc {
  const doc = new Y.Doc()
  doc.getText('t').insert(0, 'hello world, with history')
  doc.getText('t').delete(5, 7)
  const other = new Y.Doc()
  Y.applyUpdate(other, Y.encodeStateAsUpdate(doc))
  other.getMap('m').set('k', 'v')
  other.getText('t').insert(3, 'XYZ')
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(other))
  return doc
}

function copyOf(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  return copy
}

const changes = (doc: Y.Doc, update: Uint8Array): boolean => !changesNothing(doc, readUpdateStructure(update))

test('an empty update, the whole state again, and the delete-set-only reply of a client holding it all change nothing', () => {
  const doc = documentWithHistory()
  const server = copyOf(doc)
  assert.not.ok(changes(server, Y.encodeStateAsUpdate(new Y.Doc())))
  assert.not.ok(changes(server, Y.encodeStateAsUpdate(doc)))
  const reply = Y.encodeStateAsUpdate(doc, Y.encodeStateVector(server))
  assert.ok(reply.length > 2, 'the reply carries the delete set')
  assert.not.ok(changes(server, reply))
})

test('a new insert, a new deletion and a deletion of something not yet received change something', () => {
  const doc = documentWithHistory()
  const server = copyOf(doc)
  const before = Y.encodeStateVector(doc)

  doc.getMap('m').set('k2', 1)
  assert.ok(changes(server, Y.encodeStateAsUpdate(doc, before)), 'insert')

  const deleter = copyOf(server)
  const at = Y.encodeStateVector(deleter)
  deleter.getText('t').delete(0, 1)
  const deletion = Y.encodeStateAsUpdate(deleter, at)
  assert.is(Y.decodeUpdate(deletion).structs.length, 0, 'a delete-only update')
  assert.ok(changes(server, deletion), 'deletion of a live item')

  // The server lacks the inserted item whose deletion this is (Yjs would keep the deletion pending).
  const ahead = copyOf(server)
  const start = Y.encodeStateVector(ahead)
  ahead.getText('t').insert(0, 'new')
  const afterInsert = Y.encodeStateVector(ahead)
  ahead.getText('t').delete(0, 3)
  assert.ok(changes(server, Y.encodeStateAsUpdate(ahead, afterInsert)), 'deletion of an unknown item')
  assert.ok(changes(server, Y.encodeStateAsUpdate(ahead, start)))
})

test('a merged update with gaps (skips) changes nothing when every part is known', () => {
  const doc = new Y.Doc()
  const parts: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => parts.push(update))
  for (let i = 0; i < 3; i++) doc.getMap('m').set(`k${i}`, i)
  const [first, , third] = parts
  assert.ok(first !== undefined && third !== undefined)
  const merged = Y.mergeUpdates([first, third])
  assert.ok(
    Y.decodeUpdate(merged).structs.some((struct) => struct instanceof Y.Skip),
    'the merge holds a skip',
  )
  assert.not.ok(changes(copyOf(doc), merged))
  const partial = new Y.Doc()
  Y.applyUpdate(partial, first)
  assert.ok(changes(partial, merged), 'the part after the gap is new')
})

test.run()
