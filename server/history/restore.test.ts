import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import {
  addBlock,
  deleteBlock,
  deleteNarrativeText,
  getBlocksMap,
  initCanvasDoc,
  insertNarrativeText,
  moveBlock,
  resizeBlock,
  toCanvasJSON,
  updateBlockContent,
  updateCanvasMeta,
} from '../../shared/canvas/index.ts'
import { restoreUpdate } from './restore.ts'

const ALICE = 'alice'
const BOB = 'bob'
const NOW = new Date('2024-01-15T10:30:00.000Z')

function canvas(): Y.Doc {
  const doc = new Y.Doc()
  initCanvasDoc(doc, { name: 'Q4', description: 'before', tags: ['sales', 'q4'] })
  addBlock(
    doc,
    {
      id: 'chart',
      type: 'chart',
      position: { x: 0, y: 0, w: 6, h: 4 },
      content: { chart_type: 'bar', title: 'Sales', config: { x_axis: 'region' } },
      author: ALICE,
    },
    { now: NOW },
  )
  addBlock(
    doc,
    {
      id: 'story',
      type: 'narrative',
      position: { x: 6, y: 0, w: 6, h: 4 },
      content: { text: 'Sales rose in Q4.' },
      author: ALICE,
    },
    { now: NOW },
  )
  return doc
}

function copyOf(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  return copy
}

function restoreInPlace(doc: Y.Doc, target: ReturnType<typeof toCanvasJSON>): Uint8Array | null {
  const update = restoreUpdate(doc, target)
  if (update !== null) Y.applyUpdate(doc, update)
  return update
}

test('restoring the current content writes nothing', () => {
  const doc = canvas()
  assert.is(restoreUpdate(doc, toCanvasJSON(doc)), null)
})

test('every kind of change is rolled back: meta, layout, moves, resizes, content, text, added and removed blocks', () => {
  const doc = canvas()
  const version = toCanvasJSON(doc)
  const later = { now: new Date('2024-02-01T00:00:00.000Z') }
  updateCanvasMeta(doc, { name: 'Q4 final', description: 'after', tags: ['q4', 'final'] })
  doc.getMap('layout').set('rowHeight', 80)
  moveBlock(doc, 'chart', { x: 0, y: 6 }, BOB, later)
  resizeBlock(doc, 'chart', { w: 4, h: 2 }, BOB, later)
  updateBlockContent(doc, 'chart', { title: 'Revenue', config: undefined, legend: true }, BOB, later)
  deleteNarrativeText(doc, 'story', 6, 4, BOB, later)
  insertNarrativeText(doc, 'story', 6, 'fell', BOB, later)
  addBlock(doc, { id: 'extra', type: 'table', position: { x: 0, y: 9, w: 12, h: 3 }, author: BOB })
  deleteBlock(doc, 'story')
  getBlocksMap(doc).set('junk', 42)
  assert.is.not(JSON.stringify(toCanvasJSON(doc)), JSON.stringify(version))

  const update = restoreInPlace(doc, version)
  assert.ok(update !== null)
  assert.equal(toCanvasJSON(doc), version)
  assert.ok(!getBlocksMap(doc).has('junk'), 'junk stored under block ids is cleared')
})

test('a block whose type changed under the same id is recreated with the old type', () => {
  const doc = canvas()
  const version = toCanvasJSON(doc)
  deleteBlock(doc, 'chart')
  addBlock(doc, { id: 'chart', type: 'table', position: { x: 0, y: 0, w: 3, h: 1 }, author: BOB })
  restoreInPlace(doc, version)
  assert.equal(toCanvasJSON(doc), version)
})

test('narrative text is restored by its diff, so a concurrent edit elsewhere in the text survives', () => {
  const base = canvas()
  const version = toCanvasJSON(base)
  insertNarrativeText(base, 'story', 0, 'Overall, ', BOB) // 'Overall, Sales rose in Q4.'
  const server = copyOf(base)
  const client = copyOf(base)
  // The server restores (removing "Overall, ") while a client appends a sentence to the same text.
  const update = restoreUpdate(server, version)
  assert.ok(update !== null)
  insertNarrativeText(client, 'story', 'Overall, Sales rose in Q4.'.length, ' Margins held.', ALICE)
  Y.applyUpdate(client, update)
  Y.applyUpdate(server, update)
  Y.applyUpdate(server, Y.encodeStateAsUpdate(client, Y.encodeStateVector(server)))
  const text = (doc: Y.Doc) => toCanvasJSON(doc).blocks.find((block) => block.id === 'story')?.content.text
  assert.is(text(server), 'Sales rose in Q4. Margins held.')
  assert.is(text(client), text(server))
})

test('a concurrent edit of another block merges with the restore', () => {
  const base = canvas()
  const version = toCanvasJSON(base)
  moveBlock(base, 'chart', { x: 0, y: 5 }, BOB)
  const server = copyOf(base)
  const client = copyOf(base)
  const update = restoreUpdate(server, version)
  assert.ok(update !== null)
  updateBlockContent(client, 'story', { tone: 'upbeat' }, ALICE)
  Y.applyUpdate(client, update)
  const json = toCanvasJSON(client)
  assert.equal(json.blocks.find((block) => block.id === 'chart')?.position, { x: 0, y: 0, w: 6, h: 4 })
  assert.is(json.blocks.find((block) => block.id === 'story')?.content.tone, 'upbeat')
})

test('restoring to an empty canvas removes every block', () => {
  const empty = new Y.Doc()
  initCanvasDoc(empty, { name: 'Q4', description: 'before', tags: ['sales', 'q4'] })
  const doc = canvas()
  restoreInPlace(doc, toCanvasJSON(empty))
  assert.equal(toCanvasJSON(doc), toCanvasJSON(empty))
})

test.run()
