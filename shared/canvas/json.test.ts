import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { addBlock, insertNarrativeText, moveBlock, resizeBlock, updateBlockContent } from './blocks.ts'
import { type CanvasJSON, toCanvasJSON } from './json.ts'
import { MAX_JSON_DEPTH } from './json-value.ts'
import { CANVAS_ROOTS, DEFAULT_BREAKPOINTS, getBlocksMap, getLayoutMap, getMetaMap } from './layout.ts'
import { AUTHOR, FIXED_NOW, newCanvas, replicaOf, syncDocs } from './test-support.ts'

const at = FIXED_NOW.toISOString()
const metadata = { created_by: AUTHOR, created_at: at, last_modified_by: AUTHOR, last_modified_at: at }

/** The canvas of the data model (section 5.3.2), built with the helpers in a scrambled order. */
function sampleCanvas(): Y.Doc {
  const doc = newCanvas()
  const options = { now: FIXED_NOW }
  addBlock(
    doc,
    {
      id: 'block_3',
      type: 'table',
      position: { x: 0, y: 4, w: 12, h: 6 },
      content: { title: 'Detailed Sales Breakdown', pagination: { enabled: true, pageSize: 20 } },
      author: AUTHOR,
    },
    options,
  )
  addBlock(
    doc,
    {
      id: 'block_2',
      type: 'narrative',
      position: { x: 6, y: 0, w: 6, h: 4 },
      content: { text: '## Key Insights', data_bindings: [{ key: 'metric:25.3', source: 'block_1' }] },
      author: AUTHOR,
    },
    options,
  )
  addBlock(
    doc,
    {
      id: 'block_1',
      type: 'chart',
      position: { x: 0, y: 0, w: 6, h: 4 },
      content: {
        chart_type: 'bar',
        title: 'Sales by Region',
        style: { colors: ['#1f77b4'], theme: 'light' },
      },
      author: AUTHOR,
    },
    options,
  )
  return doc
}

const SAMPLE_JSON: CanvasJSON = {
  name: 'Q4 Sales Analysis',
  description: 'Analysis of Q4 2024 sales performance',
  tags: ['sales', 'q4'],
  layout: { type: 'grid', columns: 12, rowHeight: 50, breakpoints: { lg: 1200, md: 996, sm: 768, xs: 480 } },
  blocks: [
    {
      id: 'block_1',
      type: 'chart',
      position: { x: 0, y: 0, w: 6, h: 4 },
      content: {
        chart_type: 'bar',
        style: { colors: ['#1f77b4'], theme: 'light' },
        title: 'Sales by Region',
      },
      metadata,
    },
    {
      id: 'block_2',
      type: 'narrative',
      position: { x: 6, y: 0, w: 6, h: 4 },
      content: { data_bindings: [{ key: 'metric:25.3', source: 'block_1' }], text: '## Key Insights' },
      metadata,
    },
    {
      id: 'block_3',
      type: 'table',
      position: { x: 0, y: 4, w: 12, h: 6 },
      content: { pagination: { enabled: true, pageSize: 20 }, title: 'Detailed Sales Breakdown' },
      metadata,
    },
  ],
}

test('toCanvasJSON gives the canvas document shape of the data model', () => {
  assert.equal(toCanvasJSON(sampleCanvas()), SAMPLE_JSON)
})

test('toCanvasJSON of an uninitialised document reads the defaults', () => {
  assert.equal(toCanvasJSON(new Y.Doc()), {
    name: '',
    description: '',
    tags: [],
    layout: { type: 'grid', columns: 12, rowHeight: 50, breakpoints: { ...DEFAULT_BREAKPOINTS } },
    blocks: [],
  })
})

test('blocks are ordered by y, then x, then id', () => {
  const doc = newCanvas()
  const place = (id: string, x: number, y: number): void => {
    addBlock(doc, { id, type: 'chart', position: { x, y, w: 1, h: 1 }, author: AUTHOR })
  }
  place('low-left', 0, 9)
  place('top-right', 8, 0)
  place('b-tie', 3, 2)
  place('a-tie', 3, 2)
  place('top-left', 0, 0)
  place('mid', 11, 1)
  assert.equal(
    toCanvasJSON(doc).blocks.map((block) => block.id),
    ['top-left', 'top-right', 'mid', 'a-tie', 'b-tie', 'low-left'],
  )
})

test('two replicas synced through updates give equal JSON, key order included', () => {
  const doc = sampleCanvas()
  const copy = new Y.Doc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  assert.equal(toCanvasJSON(copy), toCanvasJSON(doc))

  // Concurrent edits on both sides, then a sync in both directions.
  const options = { now: FIXED_NOW }
  moveBlock(doc, 'block_1', { x: 0, y: 20 }, AUTHOR, options)
  insertNarrativeText(doc, 'block_2', 0, 'A ', AUTHOR, options)
  updateBlockContent(copy, 'block_1', { title: 'Revenue', config: { x_axis: 'region' } }, AUTHOR, options)
  insertNarrativeText(copy, 'block_2', 15, '!', AUTHOR, options)
  resizeBlock(copy, 'block_3', { w: 6, h: 2 }, AUTHOR, options)
  syncDocs(doc, copy)
  const json = toCanvasJSON(doc)
  assert.equal(toCanvasJSON(copy), json)
  assert.is(JSON.stringify(toCanvasJSON(copy)), JSON.stringify(json))
  assert.is(json.blocks.find((block) => block.id === 'block_2')?.content.text, 'A ## Key Insights!')
  assert.equal(
    json.blocks.map((block) => block.id),
    ['block_2', 'block_3', 'block_1'],
  )
})

test('equal content written in a different order serialises identically', () => {
  const a = newCanvas()
  const b = newCanvas()
  const position = { x: 0, y: 0, w: 4, h: 4 }
  addBlock(
    a,
    { id: 'x', type: 'chart', position, content: { a: 1, b: { c: 1, d: 2 } }, author: AUTHOR },
    { now: FIXED_NOW },
  )
  addBlock(
    b,
    { id: 'x', type: 'chart', position, content: { b: { d: 2, c: 1 }, a: 1 }, author: AUTHOR },
    { now: FIXED_NOW },
  )
  assert.is(JSON.stringify(toCanvasJSON(a)), JSON.stringify(toCanvasJSON(b)))
})

/** Writes shapes outside the contract, as a hostile or buggy client could, and delivers them as an update. */
function hostileUpdate(): Uint8Array {
  const doc = new Y.Doc()
  const blocks = doc.getMap<unknown>(CANVAS_ROOTS.blocks)
  blocks.set('string-block', 'not a block')
  blocks.set('number-block', 7)
  blocks.set('null-block', null)
  blocks.set('object-block', { id: 'object-block', type: 'chart', position: { x: 0, y: 0, w: 1, h: 1 } })
  blocks.set('array-block', Y.Array.from([1, 2]))
  blocks.set('text-block', new Y.Text('hi'))
  blocks.set('binary-block', new Uint8Array([1, 2, 3]))
  blocks.set('subdoc-block', new Y.Doc())

  const unknownType = new Y.Map<unknown>()
  blocks.set('unknown-type', unknownType)
  unknownType.set('type', 'video')
  blocks.set('no-type', new Y.Map<unknown>())

  const bare = new Y.Map<unknown>()
  blocks.set('bare', bare)
  bare.set('type', 'chart')
  bare.set('id', 'lies-about-its-id')

  const weird = new Y.Map<unknown>()
  blocks.set('weird', weird)
  weird.set('type', 'table')
  const position = new Y.Map<unknown>()
  weird.set('position', position)
  position.set('x', '3')
  position.set('y', Number.NaN)
  position.set('w', 50)
  position.set('h', -2)
  weird.set('content', 'not a map')
  weird.set('metadata', Y.Array.from(['x']))

  const plainPosition = new Y.Map<unknown>()
  blocks.set('plain-position', plainPosition)
  plainPosition.set('type', 'chart')
  plainPosition.set('position', { x: 10, y: 2.7, w: 5 })
  plainPosition.set('metadata', { created_by: 42, created_at: '2024-01-01T00:00:00.000Z' })
  const content = new Y.Map<unknown>()
  plainPosition.set('content', content)
  content.set('binary', new Uint8Array([1]))
  content.set('big', 10n)
  content.set('nan', Number.NaN)
  content.set('subdoc', new Y.Doc())
  content.set('nested', Y.Array.from(['a', new Uint8Array([2])]))
  content.set('__proto__', { polluted: true })
  let deep: unknown = 'bottom'
  for (let i = 0; i < MAX_JSON_DEPTH * 3; i++) deep = { next: deep }
  content.set('deep', deep)

  const narrative = new Y.Map<unknown>()
  blocks.set('narrative-number', narrative)
  narrative.set('type', 'narrative')
  const narrativeContent = new Y.Map<unknown>()
  narrative.set('content', narrativeContent)
  narrativeContent.set('text', 12)

  const plainNarrative = new Y.Map<unknown>()
  blocks.set('narrative-string', plainNarrative)
  plainNarrative.set('type', 'narrative')
  plainNarrative.set('content', { text: 'plain string', title: 'T' })

  const meta = doc.getMap<unknown>(CANVAS_ROOTS.meta)
  meta.set('name', 42)
  meta.set('tags', Y.Array.from<string | number | null>([1, 'ok', null, 'fine']))
  const layout = doc.getMap<unknown>(CANVAS_ROOTS.layout)
  layout.set('type', 7)
  layout.set('columns', 'twelve')
  layout.set('rowHeight', -5)
  layout.set('breakpoints', { lg: -1, md: 900, sm: 'x' })
  return Y.encodeStateAsUpdate(doc)
}

test('toCanvasJSON skips or normalises hostile shapes instead of throwing', () => {
  const server = new Y.Doc()
  Y.applyUpdate(server, hostileUpdate())
  const json = toCanvasJSON(server)
  assert.equal(JSON.parse(JSON.stringify(json)), json, 'the result is plain JSON')
  assert.is(json.name, '')
  assert.equal(json.tags, ['ok', 'fine'])
  assert.equal(json.layout, { type: 'grid', columns: 12, rowHeight: 50, breakpoints: { md: 900 } })

  const byId = new Map(json.blocks.map((block) => [block.id, block]))
  assert.equal(
    [...byId.keys()].sort(),
    ['bare', 'narrative-number', 'narrative-string', 'plain-position', 'weird'],
    'entries that are not Y.Maps of a known type are skipped',
  )
  assert.equal(byId.get('bare'), {
    id: 'bare',
    type: 'chart',
    position: { x: 0, y: 0, w: 1, h: 1 },
    content: {},
    metadata: { created_by: null, created_at: null, last_modified_by: null, last_modified_at: null },
  })
  assert.equal(byId.get('weird')?.position, { x: 0, y: 0, w: 12, h: 1 })
  assert.equal(byId.get('weird')?.content, {})
  assert.equal(byId.get('plain-position')?.position, { x: 10, y: 2, w: 2, h: 1 })
  assert.equal(byId.get('plain-position')?.metadata, {
    created_by: null,
    created_at: '2024-01-01T00:00:00.000Z',
    last_modified_by: null,
    last_modified_at: null,
  })
  const content = byId.get('plain-position')?.content
  assert.ok(content !== undefined)
  assert.equal(Object.keys(content), ['deep', 'nan', 'nested'])
  assert.is(content.nan, null)
  assert.equal(content.nested, ['a', null])
  assert.equal(Object.getPrototypeOf(content), Object.prototype, 'a __proto__ key is dropped, not assigned')
  assert.equal(byId.get('narrative-number')?.content, { text: '' })
  assert.equal(byId.get('narrative-string')?.content, { text: 'plain string', title: 'T' })
})

test('toCanvasJSON of hostile documents is deterministic across replicas', () => {
  const update = hostileUpdate()
  const a = new Y.Doc()
  const b = new Y.Doc()
  Y.applyUpdate(a, update)
  Y.applyUpdate(b, update)
  assert.is(JSON.stringify(toCanvasJSON(a)), JSON.stringify(toCanvasJSON(b)))
})

test('roots written as other types by a client read as empty maps', () => {
  const hostile = new Y.Doc()
  hostile.getArray<unknown>(CANVAS_ROOTS.blocks).insert(0, ['block', { type: 'chart' }])
  hostile.getText(CANVAS_ROOTS.meta).insert(0, 'name')
  hostile.getXmlFragment(CANVAS_ROOTS.layout).insert(0, [new Y.XmlText('x')])
  const server = new Y.Doc()
  Y.applyUpdate(server, Y.encodeStateAsUpdate(hostile))
  const json = toCanvasJSON(server)
  assert.equal(json.blocks, [])
  assert.is(json.name, '')
  assert.is(json.layout.columns, 12)
})

test('a concurrent edit does not make replicas read different JSON', () => {
  const doc = sampleCanvas()
  const other = replicaOf(doc)
  getMetaMap(doc).set('name', 'From A')
  getMetaMap(other).set('name', 'From B')
  getLayoutMap(doc).set('rowHeight', 60)
  getBlocksMap(other).delete('block_1')
  updateBlockContent(doc, 'block_1', { title: 'edited while deleted' }, AUTHOR)
  syncDocs(doc, other)
  assert.equal(toCanvasJSON(doc), toCanvasJSON(other))
  assert.not.ok(toCanvasJSON(doc).blocks.some((block) => block.id === 'block_1'))
})

test.run()
