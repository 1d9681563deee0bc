import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { toCanvasJSON } from './json.ts'
import { getMetaMap, initCanvasDoc } from './layout.ts'
import { updateCanvasMeta } from './meta.ts'
import { newCanvas, replicaOf, syncDocs, throwsModelError, updatesDuring } from './test-support.ts'

test('updateCanvasMeta sets name and description in one transaction, and skips unchanged values', () => {
  const doc = newCanvas('Old')
  const updates = updatesDuring(doc, () => updateCanvasMeta(doc, { name: 'New', description: 'About' }))
  assert.is(updates.length, 1)
  assert.is(toCanvasJSON(doc).name, 'New')
  assert.is(toCanvasJSON(doc).description, 'About')
  const again = updatesDuring(doc, () => updateCanvasMeta(doc, { name: 'New', tags: ['sales', 'q4'] }))
  assert.is(again.length, 0)
})

test('initCanvasDoc and updateCanvasMeta pass the origin to their transaction', () => {
  const doc = new Y.Doc()
  const origins: unknown[] = []
  doc.on('afterTransaction', (transaction: Y.Transaction) => origins.push(transaction.origin))
  const origin = { source: 'test' }
  initCanvasDoc(doc, { name: 'A' }, { origin })
  updateCanvasMeta(doc, { name: 'B' }, { origin })
  assert.is(origins.length, 2)
  assert.ok(origins.every((seen) => seen === origin))
})

test('updateCanvasMeta edits tags in place and yields exactly the requested list', () => {
  const doc = newCanvas()
  const tags = getMetaMap(doc).get('tags')
  const cases: string[][] = [['sales', 'q4', 'final'], ['q4'], ['a', 'q4', 'b'], ['b', 'a'], []]
  for (const wanted of cases) {
    updateCanvasMeta(doc, { tags: wanted })
    assert.equal(toCanvasJSON(doc).tags, wanted)
    assert.is(getMetaMap(doc).get('tags'), tags, 'the Y.Array is kept, not replaced')
  }
  updateCanvasMeta(doc, { tags: ['x', 'y', 'x'] })
  assert.equal(toCanvasJSON(doc).tags, ['x', 'y'], 'duplicates are dropped')
})

test('concurrent tag edits by two users both survive', () => {
  const doc = newCanvas()
  const other = replicaOf(doc)
  updateCanvasMeta(doc, { tags: ['sales', 'q4', 'final'] })
  updateCanvasMeta(other, { tags: ['q4'] })
  syncDocs(doc, other)
  assert.equal(toCanvasJSON(doc).tags, ['q4', 'final'])
  assert.equal(toCanvasJSON(other).tags, ['q4', 'final'])
})

test('tags stored in another shape by a client are replaced', () => {
  const doc = newCanvas()
  getMetaMap(doc).set('tags', 'not an array')
  updateCanvasMeta(doc, { tags: ['ok'] })
  assert.ok(getMetaMap(doc).get('tags') instanceof Y.Array)
  assert.equal(toCanvasJSON(doc).tags, ['ok'])
})

test('updateCanvasMeta validates its input', () => {
  const doc = newCanvas()
  throwsModelError(() => updateCanvasMeta(doc, { name: 'x'.repeat(256) }), /name/)
  throwsModelError(() => updateCanvasMeta(doc, { description: 5 as unknown as string }), /description/)
  throwsModelError(() => updateCanvasMeta(doc, { tags: 'a' as unknown as string[] }), /tags/)
})

test.run()
