import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import {
  addBlock,
  deleteBlock,
  deleteNarrativeText,
  getBlock,
  insertNarrativeText,
  moveBlock,
  resizeBlock,
  updateBlockContent,
} from './blocks.ts'
import { toCanvasJSON } from './json.ts'
import { type JsonValue, MAX_JSON_DEPTH } from './json-value.ts'
import { CANVAS_ROOTS, DEFAULT_BREAKPOINTS, getBlocksMap, initCanvasDoc } from './layout.ts'
import {
  AUTHOR,
  FIXED_NOW,
  newCanvas,
  replicaOf,
  syncDocs,
  throwsModelError,
  updatesDuring,
} from './test-support.ts'

const LATER = new Date('2024-01-16T08:00:00.000Z')

function chartAt(
  doc: Y.Doc,
  position: { x: number; y: number; w: number; h: number },
  id = 'block_1',
): string {
  return addBlock(doc, { id, type: 'chart', position, content: { chart_type: 'bar' }, author: AUTHOR })
}

test('initCanvasDoc fills meta and layout defaults in one transaction', () => {
  const doc = new Y.Doc()
  const updates = updatesDuring(doc, () => initCanvasDoc(doc, { name: 'Sales', tags: ['q4'] }))
  assert.is(updates.length, 1)
  const meta = doc.getMap(CANVAS_ROOTS.meta)
  assert.is(meta.get('name'), 'Sales')
  assert.is(meta.get('description'), '')
  const tags = meta.get('tags')
  assert.ok(tags instanceof Y.Array)
  assert.equal(tags.toArray(), ['q4'])
  assert.equal(doc.getMap(CANVAS_ROOTS.layout).toJSON(), {
    type: 'grid',
    columns: 12,
    rowHeight: 50,
    breakpoints: { ...DEFAULT_BREAKPOINTS },
  })
})

test('initCanvasDoc is idempotent and never overwrites', () => {
  const doc = newCanvas('First')
  doc.getMap(CANVAS_ROOTS.layout).set('rowHeight', 80)
  const updates = updatesDuring(doc, () => initCanvasDoc(doc, { name: 'Second', description: 'other' }))
  assert.is(updates.length, 0)
  const json = toCanvasJSON(doc)
  assert.is(json.name, 'First')
  assert.is(json.description, 'Analysis of Q4 2024 sales performance')
  assert.is(json.layout.rowHeight, 80)
})

test('initCanvasDoc validates its input', () => {
  throwsModelError(() => initCanvasDoc(new Y.Doc(), { name: 'x'.repeat(256) }), /name/)
  throwsModelError(() => initCanvasDoc(new Y.Doc(), { name: 'ok', tags: [1] as unknown as string[] }), /tags/)
})

test('addBlock stores the documented layout and returns the id', () => {
  const doc = newCanvas()
  const id = addBlock(
    doc,
    {
      type: 'narrative',
      position: { x: 6, y: 0, w: 6, h: 4 },
      content: { text: '## Key insights', data_bindings: [] },
      author: AUTHOR,
    },
    { now: FIXED_NOW },
  )
  assert.match(id, /^block_[0-9a-f]{32}$/)
  const block = getBlocksMap(doc).get(id)
  assert.ok(block instanceof Y.Map)
  assert.is(block.get('id'), id)
  assert.is(block.get('type'), 'narrative')
  assert.ok(block.get('position') instanceof Y.Map)
  const content = block.get('content')
  assert.ok(content instanceof Y.Map)
  assert.ok(content.get('text') instanceof Y.Text)
  assert.ok(block.get('metadata') instanceof Y.Map)
  assert.equal(getBlock(doc, id), {
    id,
    type: 'narrative',
    position: { x: 6, y: 0, w: 6, h: 4 },
    content: { data_bindings: [], text: '## Key insights' },
    metadata: {
      created_by: AUTHOR,
      created_at: FIXED_NOW.toISOString(),
      last_modified_by: AUTHOR,
      last_modified_at: FIXED_NOW.toISOString(),
    },
  })
})

test('addBlock runs in one transaction with the given origin', () => {
  const doc = newCanvas()
  const origins: unknown[] = []
  doc.on('afterTransaction', (transaction: Y.Transaction) => origins.push(transaction.origin))
  const origin = { source: 'test' }
  chartAt(doc, { x: 0, y: 0, w: 6, h: 4 })
  addBlock(doc, { type: 'table', position: { x: 0, y: 4, w: 12, h: 6 }, author: AUTHOR }, { origin })
  assert.is(origins.length, 2)
  assert.is(origins[1], origin)
})

test('addBlock rejects positions off the 12-column grid', () => {
  const doc = newCanvas()
  const cases: [{ x: number; y: number; w: number; h: number }, RegExp][] = [
    [{ x: -1, y: 0, w: 1, h: 1 }, /position\.x/],
    [{ x: 12, y: 0, w: 1, h: 1 }, /position\.x/],
    [{ x: 0, y: 0, w: 0, h: 1 }, /position\.w/],
    [{ x: 0, y: 0, w: 13, h: 1 }, /position\.w/],
    [{ x: 6, y: 0, w: 7, h: 1 }, /x \+ position\.w/],
    [{ x: 0, y: -1, w: 1, h: 1 }, /position\.y/],
    [{ x: 0, y: 0, w: 1, h: 0 }, /position\.h/],
    [{ x: 1.5, y: 0, w: 1, h: 1 }, /integer/],
    [{ x: 0, y: Number.NaN, w: 1, h: 1 }, /integer/],
    [{ x: 0, y: 1e300, w: 1, h: 1 }, /integer/],
  ]
  throwsModelError(
    () =>
      addBlock(doc, {
        type: 'chart',
        position: null as unknown as { x: 0; y: 0; w: 1; h: 1 },
        author: AUTHOR,
      }),
    /position must be an object/,
  )
  for (const [position, message] of cases) {
    throwsModelError(() => addBlock(doc, { type: 'chart', position, author: AUTHOR }), message)
  }
  chartAt(doc, { x: 11, y: 0, w: 1, h: 1 }, 'edge')
  chartAt(doc, { x: 0, y: 0, w: 12, h: 1 }, 'full')
  assert.is(toCanvasJSON(doc).blocks.length, 2)
})

test('addBlock rejects bad types, ids, authors and content', () => {
  const doc = newCanvas()
  const position = { x: 0, y: 0, w: 4, h: 4 }
  chartAt(doc, position, 'taken')
  const updates = updatesDuring(doc, () => {
    throwsModelError(() => chartAt(doc, position, 'taken'), /already exists/)
    throwsModelError(() => chartAt(doc, position, ''), /block id/)
    throwsModelError(
      () => addBlock(doc, { type: 'video' as 'chart', position, author: AUTHOR }),
      /unknown block type/,
    )
    throwsModelError(() => addBlock(doc, { type: 'chart', position, author: '' }), /author/)
    throwsModelError(
      () => addBlock(doc, { type: 'chart', position, content: { n: Number.NaN }, author: AUTHOR }),
      /content field n/,
    )
    throwsModelError(
      () => addBlock(doc, { type: 'narrative', position, content: { text: 42 }, author: AUTHOR }),
      /text of a narrative/,
    )
  })
  assert.is(updates.length, 0, 'a refused addBlock writes nothing')
})

test('moveBlock and resizeBlock validate against the current size and position', () => {
  const doc = newCanvas()
  chartAt(doc, { x: 0, y: 0, w: 6, h: 4 })
  throwsModelError(() => moveBlock(doc, 'block_1', { x: 7, y: 0 }, AUTHOR), /x \+ position\.w/)
  moveBlock(doc, 'block_1', { x: 6, y: 2 }, AUTHOR)
  throwsModelError(() => resizeBlock(doc, 'block_1', { w: 7, h: 4 }, AUTHOR), /x \+ position\.w/)
  throwsModelError(() => resizeBlock(doc, 'block_1', { w: 6, h: 0 }, AUTHOR), /position\.h/)
  resizeBlock(doc, 'block_1', { w: 3, h: 8 }, AUTHOR)
  assert.equal(getBlock(doc, 'block_1')?.position, { x: 6, y: 2, w: 3, h: 8 })
})

test('mutations update last_modified_* in the same transaction', () => {
  const doc = newCanvas()
  addBlock(
    doc,
    { id: 'n', type: 'narrative', position: { x: 0, y: 0, w: 6, h: 4 }, author: AUTHOR },
    { now: FIXED_NOW },
  )
  const steps: [string, () => void][] = [
    ['move', () => moveBlock(doc, 'n', { x: 1, y: 1 }, 'mover', { now: LATER })],
    ['resize', () => resizeBlock(doc, 'n', { w: 2, h: 2 }, 'resizer', { now: LATER })],
    ['content', () => updateBlockContent(doc, 'n', { title: 'T' }, 'editor', { now: LATER })],
    ['insert', () => insertNarrativeText(doc, 'n', 0, 'hello', 'typist', { now: LATER })],
    ['delete', () => deleteNarrativeText(doc, 'n', 0, 1, 'eraser', { now: LATER })],
  ]
  for (const [name, step] of steps) {
    const updates = updatesDuring(doc, step)
    assert.is(updates.length, 1, `${name} is one transaction`)
    const metadata = getBlock(doc, 'n')?.metadata
    assert.is(metadata?.last_modified_at, LATER.toISOString(), name)
    assert.is(metadata?.created_at, FIXED_NOW.toISOString(), name)
    assert.is(metadata?.created_by, AUTHOR, name)
  }
  assert.is(getBlock(doc, 'n')?.metadata.last_modified_by, 'eraser')
  assert.is(getBlock(doc, 'n')?.content.text, 'ello')
})

test('no-op mutations write nothing', () => {
  const doc = newCanvas()
  chartAt(doc, { x: 2, y: 3, w: 4, h: 5 })
  const updates = updatesDuring(doc, () => {
    moveBlock(doc, 'block_1', { x: 2, y: 3 }, AUTHOR)
    resizeBlock(doc, 'block_1', { w: 4, h: 5 }, AUTHOR)
    updateBlockContent(doc, 'block_1', { chart_type: 'bar', missing: undefined }, AUTHOR)
  })
  assert.is(updates.length, 0)
})

test('a move writes only the coordinates that change', () => {
  const doc = newCanvas()
  chartAt(doc, { x: 2, y: 3, w: 4, h: 5 })
  const other = replicaOf(doc)
  // Concurrently: one user moves the block down only, the other moves it right only. Both moves must survive,
  // which only holds if the first user does not rewrite the unchanged x. The higher client id wins a conflicting
  // write, so give it to the first user to make a rewrite of x visible.
  doc.clientID = 1000
  other.clientID = 1
  moveBlock(doc, 'block_1', { x: 2, y: 9 }, AUTHOR)
  moveBlock(other, 'block_1', { x: 7, y: 3 }, 'user-2')
  syncDocs(doc, other)
  assert.equal(getBlock(doc, 'block_1')?.position, { x: 7, y: 9, w: 4, h: 5 })
  assert.equal(getBlock(other, 'block_1')?.position, { x: 7, y: 9, w: 4, h: 5 })
})

test('concurrent move and resize on two replicas merge field by field', () => {
  const doc = newCanvas()
  chartAt(doc, { x: 0, y: 0, w: 6, h: 4 })
  const other = replicaOf(doc)
  moveBlock(doc, 'block_1', { x: 2, y: 5 }, AUTHOR)
  resizeBlock(other, 'block_1', { w: 8, h: 3 }, 'user-2')
  syncDocs(doc, other)
  const expected = { x: 2, y: 5, w: 8, h: 3 }
  assert.equal(getBlock(doc, 'block_1')?.position, expected)
  assert.equal(getBlock(other, 'block_1')?.position, expected)
  assert.equal(toCanvasJSON(doc), toCanvasJSON(other))
})

test('a concurrent move and resize that overflow the grid read clamped, and a later resize repairs it', () => {
  const doc = newCanvas()
  chartAt(doc, { x: 0, y: 0, w: 4, h: 4 })
  const other = replicaOf(doc)
  moveBlock(doc, 'block_1', { x: 8, y: 0 }, AUTHOR) // valid with w = 4
  resizeBlock(other, 'block_1', { w: 6, h: 4 }, 'user-2') // valid with x = 0
  syncDocs(doc, other)
  assert.equal(getBlock(doc, 'block_1')?.position, { x: 8, y: 0, w: 4, h: 4 })
  assert.equal(toCanvasJSON(doc), toCanvasJSON(other))
  resizeBlock(doc, 'block_1', { w: 4, h: 4 }, AUTHOR)
  const position = getBlocksMap(doc).get('block_1')
  assert.ok(position instanceof Y.Map)
  assert.is((position.get('position') as Y.Map<unknown>).get('w'), 4)
})

test('updateBlockContent sets, replaces and deletes plain fields', () => {
  const doc = newCanvas()
  addBlock(doc, {
    id: 't',
    type: 'table',
    position: { x: 0, y: 0, w: 12, h: 6 },
    content: { title: 'Detailed', pagination: { enabled: true, pageSize: 20 } },
    author: AUTHOR,
  })
  updateBlockContent(
    doc,
    't',
    { pagination: { enabled: false }, filtering: { enabled: true }, title: undefined },
    AUTHOR,
  )
  assert.equal(getBlock(doc, 't')?.content, { filtering: { enabled: true }, pagination: { enabled: false } })
  throwsModelError(() => updateBlockContent(doc, 't', { bad: Number.POSITIVE_INFINITY }, AUTHOR), /JSON/)
  throwsModelError(
    () => updateBlockContent(doc, 't', { when: new Date() as unknown as string }, AUTHOR),
    /JSON/,
  )
  throwsModelError(
    () => updateBlockContent(doc, 't', JSON.parse('{"__proto__": {"x": 1}}'), AUTHOR),
    /__proto__/,
  )
  let deep: JsonValue = 'bottom'
  for (let i = 0; i < MAX_JSON_DEPTH; i++) deep = [deep]
  throwsModelError(() => updateBlockContent(doc, 't', { deep }, AUTHOR), /JSON/)
  // One level less is the deepest value readers return whole.
  updateBlockContent(doc, 't', { deep: (deep as JsonValue[])[0] ?? null }, AUTHOR)
  assert.equal(getBlock(doc, 't')?.content.deep, (deep as JsonValue[])[0])
})

test('updateBlockContent refuses the text of a narrative but allows a text field elsewhere', () => {
  const doc = newCanvas()
  addBlock(doc, { id: 'n', type: 'narrative', position: { x: 0, y: 0, w: 6, h: 4 }, author: AUTHOR })
  chartAt(doc, { x: 6, y: 0, w: 6, h: 4 }, 'c')
  const updates = updatesDuring(doc, () =>
    throwsModelError(
      () => updateBlockContent(doc, 'n', { title: 'x', text: 'overwrite' }, AUTHOR),
      /Y\.Text/,
    ),
  )
  assert.is(updates.length, 0, 'nothing of a refused patch is written')
  updateBlockContent(doc, 'c', { text: 'caption' }, AUTHOR)
  assert.is(getBlock(doc, 'c')?.content.text, 'caption')
})

test('narrative text helpers validate indexes and block type', () => {
  const doc = newCanvas()
  addBlock(doc, {
    id: 'n',
    type: 'narrative',
    position: { x: 0, y: 0, w: 6, h: 4 },
    content: { text: 'Sales rose' },
    author: AUTHOR,
  })
  chartAt(doc, { x: 6, y: 0, w: 6, h: 4 }, 'c')
  insertNarrativeText(doc, 'n', 10, ' by 25%', AUTHOR)
  deleteNarrativeText(doc, 'n', 0, 6, AUTHOR)
  assert.is(getBlock(doc, 'n')?.content.text, 'rose by 25%')
  throwsModelError(() => insertNarrativeText(doc, 'n', 12, 'x', AUTHOR), /index/)
  throwsModelError(() => insertNarrativeText(doc, 'n', -1, 'x', AUTHOR), /index/)
  throwsModelError(() => deleteNarrativeText(doc, 'n', 5, 7, AUTHOR), /length/)
  throwsModelError(() => deleteNarrativeText(doc, 'n', 0, -1, AUTHOR), /length/)
  throwsModelError(() => insertNarrativeText(doc, 'c', 0, 'x', AUTHOR), /not a narrative/)
})

test('concurrent typing in a narrative merges', () => {
  const doc = newCanvas()
  addBlock(doc, {
    id: 'n',
    type: 'narrative',
    position: { x: 0, y: 0, w: 6, h: 4 },
    content: { text: 'Sales rose.' },
    author: AUTHOR,
  })
  const other = replicaOf(doc)
  insertNarrativeText(doc, 'n', 0, 'Q4: ', AUTHOR)
  insertNarrativeText(other, 'n', 10, ' by 25%', 'user-2')
  syncDocs(doc, other)
  assert.is(getBlock(doc, 'n')?.content.text, 'Q4: Sales rose by 25%.')
  assert.is(getBlock(other, 'n')?.content.text, 'Q4: Sales rose by 25%.')
})

test('unknown or malformed blocks are refused by every mutation', () => {
  const doc = newCanvas()
  getBlocksMap(doc).set('junk', 'not a block')
  for (const id of ['missing', 'junk']) {
    const message = id === 'missing' ? /unknown block missing/ : /block junk is malformed/
    throwsModelError(() => moveBlock(doc, id, { x: 0, y: 0 }, AUTHOR), message)
    throwsModelError(() => resizeBlock(doc, id, { w: 1, h: 1 }, AUTHOR), message)
    throwsModelError(() => updateBlockContent(doc, id, { a: 1 }, AUTHOR), message)
    throwsModelError(() => insertNarrativeText(doc, id, 0, 'x', AUTHOR), message)
    throwsModelError(() => deleteNarrativeText(doc, id, 0, 0, AUTHOR), message)
  }
  throwsModelError(() => deleteBlock(doc, 'missing'), /unknown block missing/)
  assert.is(getBlock(doc, 'missing'), undefined)
  assert.is(getBlock(doc, 'junk'), undefined)
})

test('deleteBlock removes blocks, including junk stored under a block id', () => {
  const doc = newCanvas()
  chartAt(doc, { x: 0, y: 0, w: 6, h: 4 })
  getBlocksMap(doc).set('junk', 42)
  deleteBlock(doc, 'block_1')
  deleteBlock(doc, 'junk')
  assert.is(getBlocksMap(doc).size, 0)
  assert.is(getBlock(doc, 'block_1'), undefined)
})

test.run()
