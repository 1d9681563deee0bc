import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import {
  addBlock,
  deleteBlock,
  deleteNarrativeText,
  insertNarrativeText,
  moveBlock,
  resizeBlock,
  updateBlockContent,
} from './blocks.ts'
import { CanvasModelError } from './errors.ts'
import { toCanvasJSON } from './json.ts'
import { getBlocksMap, getLayoutMap, initCanvasDoc } from './layout.ts'
import { updateCanvasMeta } from './meta.ts'
import {
  CANVAS_CHANGE_TYPES,
  type CanvasChangeType,
  summarizeCanvasChanges,
  summarizeChanges,
  summarizeUpdate,
} from './summary.ts'
import { AUTHOR, newCanvas, replicaOf, updatesDuring } from './test-support.ts'

const NO_CHANGES: Record<CanvasChangeType, number> = {
  block_added: 0,
  block_removed: 0,
  block_moved: 0,
  block_resized: 0,
  block_content_changed: 0,
  narrative_text_changed: 0,
  layout_changed: 0,
  meta_changed: 0,
}

function baseCanvas(): Y.Doc {
  const doc = newCanvas()
  addBlock(doc, {
    id: 'chart',
    type: 'chart',
    position: { x: 0, y: 0, w: 6, h: 4 },
    content: { chart_type: 'bar', title: 'Sales by Region', config: { x_axis: 'region' } },
    author: AUTHOR,
  })
  addBlock(doc, {
    id: 'story',
    type: 'narrative',
    position: { x: 6, y: 0, w: 6, h: 4 },
    content: { text: 'Sales rose in Q4.' },
    author: AUTHOR,
  })
  addBlock(doc, { id: 'table', type: 'table', position: { x: 0, y: 4, w: 12, h: 6 }, author: AUTHOR })
  return doc
}

test('no change gives an empty summary', () => {
  const doc = baseCanvas()
  const expected = { changes: [], counts: NO_CHANGES }
  assert.equal(summarizeChanges(doc, replicaOf(doc)), expected)
  assert.equal(summarizeUpdate(Y.encodeStateAsUpdate(doc), []), expected)
  // Edits that change nothing a reader sees (a metadata-only write) are not reported either.
  const after = replicaOf(doc)
  const chart = getBlocksMap(after).get('chart')
  assert.ok(chart instanceof Y.Map)
  const metadata = chart.get('metadata')
  assert.ok(metadata instanceof Y.Map)
  metadata.set('last_modified_at', '2030-01-01T00:00:00.000Z')
  assert.equal(summarizeChanges(doc, after), expected)
  assert.equal(summarizeUpdate(null, []), expected)
})

test('a scripted history reports every kind of change, in order', () => {
  const before = baseCanvas()
  const after = replicaOf(before)
  const updates = updatesDuring(after, () => {
    updateCanvasMeta(after, { name: 'Q4 Sales (final)', tags: ['sales', 'q4', 'final'] })
    getLayoutMap(after).set('rowHeight', 60)
    addBlock(after, { id: 'new', type: 'chart', position: { x: 0, y: 10, w: 4, h: 3 }, author: 'user-2' })
    deleteBlock(after, 'table')
    moveBlock(after, 'chart', { x: 0, y: 2 }, 'user-2')
    resizeBlock(after, 'chart', { w: 4, h: 5 }, 'user-2')
    updateBlockContent(
      after,
      'chart',
      { title: 'Revenue by Region', config: undefined, legend: true },
      'user-2',
    )
    // 'Sales rose in Q4.' -> 'Sales fell in Q4 2024.'
    deleteNarrativeText(after, 'story', 6, 4, 'user-2')
    insertNarrativeText(after, 'story', 6, 'fell', 'user-2')
    insertNarrativeText(after, 'story', 16, ' 2024', 'user-2')
  })
  const summary = summarizeUpdate(Y.encodeStateAsUpdate(before), updates)
  assert.equal(summary.changes, [
    { type: 'meta_changed', fields: ['name', 'tags'] },
    { type: 'layout_changed', fields: ['rowHeight'] },
    { type: 'block_removed', block_id: 'table', block_type: 'table' },
    // Then blocks in the new canvas order: story (y 0, x 6), chart (moved to y 2), new (y 10).
    {
      type: 'narrative_text_changed',
      block_id: 'story',
      inserted: 9,
      deleted: 4,
      ranges: [
        { index: 6, inserted: 4, deleted: 4 },
        { index: 16, inserted: 5, deleted: 0 },
      ],
    },
    { type: 'block_moved', block_id: 'chart', from: { x: 0, y: 0 }, to: { x: 0, y: 2 } },
    { type: 'block_resized', block_id: 'chart', from: { w: 6, h: 4 }, to: { w: 4, h: 5 } },
    { type: 'block_content_changed', block_id: 'chart', fields: ['config', 'legend', 'title'] },
    { type: 'block_added', block_id: 'new', block_type: 'chart' },
  ])
  assert.equal(summary.counts, {
    ...NO_CHANGES,
    meta_changed: 1,
    layout_changed: 1,
    block_removed: 1,
    block_moved: 1,
    block_resized: 1,
    block_content_changed: 1,
    narrative_text_changed: 1,
    block_added: 1,
  })
  assert.equal(summarizeChanges(before, after), summary, 'docs and updates give the same summary')
})

test('narrative edits report inserted and deleted counts and ranges in the new text', () => {
  const before = baseCanvas()
  const after = replicaOf(before)
  deleteNarrativeText(after, 'story', 0, 6, AUTHOR) // 'rose in Q4.'
  insertNarrativeText(after, 'story', 11, ' Margins held!', AUTHOR)
  const changes = summarizeChanges(before, after).changes
  assert.equal(changes, [
    {
      type: 'narrative_text_changed',
      block_id: 'story',
      inserted: 14,
      deleted: 6,
      ranges: [
        { index: 0, inserted: 0, deleted: 6 },
        { index: 11, inserted: 14, deleted: 0 },
      ],
    },
  ])
})

test('a text change is not reported as a content change, but other narrative fields are', () => {
  const before = baseCanvas()
  const after = replicaOf(before)
  insertNarrativeText(after, 'story', 0, '> ', AUTHOR)
  updateBlockContent(after, 'story', { data_bindings: [{ key: 'metric:25.3' }] }, AUTHOR)
  const summary = summarizeChanges(before, after)
  assert.equal(
    summary.changes.map((change) => change.type),
    ['block_content_changed', 'narrative_text_changed'],
  )
  assert.equal(summary.changes[0], {
    type: 'block_content_changed',
    block_id: 'story',
    fields: ['data_bindings'],
  })
})

test('a new canvas from nothing: meta set, blocks added, layout defaults unchanged', () => {
  const doc = new Y.Doc()
  const updates = updatesDuring(doc, () => {
    initCanvasDoc(doc, { name: 'Fresh', tags: ['t'] })
    addBlock(doc, { id: 'b', type: 'narrative', position: { x: 0, y: 0, w: 12, h: 2 }, author: AUTHOR })
  })
  const summary = summarizeUpdate(null, updates)
  assert.equal(summary.changes, [
    { type: 'meta_changed', fields: ['name', 'tags'] },
    { type: 'block_added', block_id: 'b', block_type: 'narrative' },
  ])
})

test('a block replaced by one of another type under the same id is removed then added', () => {
  const before = baseCanvas()
  const after = replicaOf(before)
  deleteBlock(after, 'table')
  addBlock(after, { id: 'table', type: 'chart', position: { x: 0, y: 4, w: 12, h: 6 }, author: AUTHOR })
  assert.equal(summarizeChanges(before, after).changes, [
    { type: 'block_removed', block_id: 'table', block_type: 'table' },
    { type: 'block_added', block_id: 'table', block_type: 'chart' },
  ])
})

test('removed blocks are listed by id and added blocks in canvas order', () => {
  const before = baseCanvas()
  const after = replicaOf(before)
  deleteBlock(after, 'table')
  deleteBlock(after, 'chart')
  addBlock(after, { id: 'z-first', type: 'table', position: { x: 0, y: 0, w: 6, h: 1 }, author: AUTHOR })
  addBlock(after, { id: 'a-second', type: 'chart', position: { x: 0, y: 9, w: 6, h: 1 }, author: AUTHOR })
  assert.equal(
    summarizeChanges(before, after).changes.map((change) => ('block_id' in change ? change.block_id : '')),
    ['chart', 'table', 'z-first', 'a-second'],
  )
})

test('summarizeCanvasChanges works on JSON alone and reports description and layout fields', () => {
  const before = toCanvasJSON(baseCanvas())
  const after = {
    ...before,
    description: 'changed',
    layout: { ...before.layout, breakpoints: { lg: 1400 }, columns: 24 },
  }
  assert.equal(summarizeCanvasChanges(before, after).changes, [
    { type: 'meta_changed', fields: ['description'] },
    { type: 'layout_changed', fields: ['columns', 'breakpoints'] },
  ])
})

test('summarizeUpdate refuses updates that are not Yjs updates', () => {
  assert.throws(
    () => summarizeUpdate(null, [new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255, 255, 255])]),
    (error: unknown) => error instanceof CanvasModelError && /update 0/.test(error.message),
  )
  assert.throws(
    () => summarizeUpdate(new Uint8Array([1, 2, 3]), []),
    (error: unknown) => error instanceof CanvasModelError && /before state/.test(error.message),
  )
})

test('summarizeUpdate accepts a single update', () => {
  const doc = baseCanvas()
  const state = Y.encodeStateAsUpdate(doc)
  const [update] = updatesDuring(doc, () => moveBlock(doc, 'table', { x: 0, y: 7 }, AUTHOR))
  assert.ok(update !== undefined)
  assert.equal(summarizeUpdate(state, update).counts, { ...NO_CHANGES, block_moved: 1 })
})

test('CANVAS_CHANGE_TYPES lists every key of counts', () => {
  assert.equal([...CANVAS_CHANGE_TYPES].sort(), Object.keys(NO_CHANGES).sort())
})

test.run()
