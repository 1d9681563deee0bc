import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { foldState } from './fold.ts'
import { packFoldRequest, unpackFoldRequest } from './fold-protocol.ts'
import { InlineStateFolder, ThreadStateFolder } from './state-folder.ts'

/** A canvas-like edit history: map overwrites, text inserts and deletes, from two clients. Returns each update. */
function history(): { base: Uint8Array; updates: Uint8Array[]; live: Y.Doc } {
  const live = new Y.Doc()
  const updates: Uint8Array[] = []
  const a = new Y.Doc()
  const b = new Y.Doc()
  a.getMap('meta').set('name', 'first')
  a.getText('notes').insert(0, 'hello world')
  const base = Y.encodeStateAsUpdate(a)
  Y.applyUpdate(live, base)
  Y.applyUpdate(b, base)
  for (const [doc, edit] of [
    [a, () => a.getMap('meta').set('name', 'second')],
    [b, () => b.getText('notes').delete(0, 6)],
    [a, () => a.getMap('blocks').set('chart-1', { x: 0, w: 6 })],
    [b, () => b.getMap('meta').set('name', 'third')],
    [a, () => a.getMap('blocks').delete('chart-1')],
  ] as const) {
    const before = Y.encodeStateVector(live)
    edit()
    const update = Y.encodeStateAsUpdate(doc, before)
    updates.push(update)
    Y.applyUpdate(live, update)
    Y.applyUpdate(doc === a ? b : a, update)
  }
  return { base, updates, live }
}

const content = (doc: Y.Doc) => ({
  meta: doc.getMap('meta').toJSON(),
  blocks: doc.getMap('blocks').toJSON(),
  notes: doc.getText('notes').toString(),
})

const load = (state: Uint8Array): Y.Doc => {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, state)
  return doc
}

test('folding a state and its journal gives the document that applying them live gives', () => {
  const { base, updates, live } = history()
  const folded = foldState(base, updates)
  assert.equal(folded.skipped, [])
  const doc = load(folded.state)
  assert.equal(content(doc), content(live))
  assert.equal(content(doc), { meta: { name: 'third' }, blocks: {}, notes: 'world' })
  assert.equal(Y.encodeStateVector(doc), Y.encodeStateVector(live))
})

test('folding without a stored state starts from an empty document', () => {
  const { base, updates, live } = history()
  assert.equal(content(load(foldState(null, [base, ...updates]).state)), content(live))
})

test('an update that fails to apply is skipped and reported with its index, as a load skips it', () => {
  const { base, updates, live } = history()
  const garbage = new Uint8Array([0, 5, 200, 1, 7, 7, 7])
  const folded = foldState(base, [...updates.slice(0, 2), garbage, ...updates.slice(2)])
  assert.is(folded.skipped.length, 1)
  assert.is(folded.skipped[0]?.index, 2)
  assert.type(folded.skipped[0]?.reason, 'string')
  assert.equal(content(load(folded.state)), content(live))
})

test('a stored state that fails to apply fails the fold instead of storing a state without it', () => {
  const { updates } = history()
  assert.throws(() => foldState(new Uint8Array([1, 2, 3, 200, 200]), updates))
})

test('a request packs only the bytes of views into larger buffers, and unpacks to the same pieces', () => {
  const file = new Uint8Array(1 << 16).map((_, i) => i % 251)
  const base = file.subarray(10, 20)
  const updates = [file.subarray(100, 103), file.subarray(0, 0), file.subarray(5000, 5100)]
  const request = packFoldRequest(7, base, updates)
  assert.is(request.bytes.byteLength, 10 + 3 + 0 + 100)
  assert.is(request.bytes.buffer.byteLength, 113, 'a buffer of its own, safe to transfer')
  const { base: unpackedBase, updates: unpacked } = unpackFoldRequest(request)
  assert.equal(unpackedBase && [...unpackedBase], [...base])
  assert.equal(
    unpacked.map((piece) => [...piece]),
    updates.map((piece) => [...piece]),
  )
  assert.is(unpackFoldRequest(packFoldRequest(8, null, updates)).base, null)
})

test('the compaction thread folds like the inline folder and leaves the caller its buffers', async () => {
  const { base, updates, live } = history()
  const thread = new ThreadStateFolder((message) => assert.unreachable(message))
  try {
    const lengths = updates.map((update) => update.byteLength)
    const [threaded, inline] = await Promise.all([
      thread.fold(base, updates),
      new InlineStateFolder().fold(base, updates),
    ])
    assert.equal(content(load(threaded.state)), content(live))
    assert.equal([...threaded.state], [...inline.state])
    assert.equal(
      updates.map((update) => update.byteLength),
      lengths,
      'nothing of the caller was transferred away',
    )
    // Several folds in flight are answered each with its own result.
    const results = await Promise.all([thread.fold(null, [base]), thread.fold(base, updates.slice(0, 1))])
    assert.equal(content(load(results[0].state)).meta, { name: 'first' })
    assert.equal(content(load(results[1].state)).meta, { name: 'second' })
  } finally {
    await thread.close()
  }
})

test('the compaction thread rejects a fold that fails there, and keeps serving the next ones', async () => {
  const { base, updates } = history()
  const thread = new ThreadStateFolder((message) => assert.unreachable(message))
  try {
    await thread.fold(new Uint8Array([1, 2, 3, 200, 200]), updates).then(
      () => assert.unreachable('a corrupt stored state must fail the fold'),
      (error: unknown) => assert.match(String(error), /folding the journal failed/),
    )
    assert.ok((await thread.fold(base, updates)).state.byteLength > 0)
  } finally {
    await thread.close()
  }
  await thread.fold(base, updates).then(
    () => assert.unreachable('a closed folder folds nothing'),
    (error: unknown) => assert.match(String(error), /closed/),
  )
})

test.run()
