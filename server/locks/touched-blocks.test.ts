import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import {
  addBlock,
  deleteBlock,
  deleteNarrativeText,
  initCanvasDoc,
  insertNarrativeText,
  moveBlock,
  resizeBlock,
  updateBlockContent,
  updateCanvasMeta,
} from '../../shared/canvas/index.ts'
import { readUpdateStructure } from '../rooms/update-structure.ts'
import { touchedBlocks } from './touched-blocks.ts'

/** A server doc and a client replica in sync, with blocks A (chart), B (narrative), C (table). */
function setup() {
  const server = new Y.Doc()
  initCanvasDoc(server, { name: 'c' })
  addBlock(server, { id: 'block_A', type: 'chart', position: { x: 0, y: 0, w: 4, h: 2 }, author: 'u' })
  addBlock(server, {
    id: 'block_B',
    type: 'narrative',
    position: { x: 4, y: 0, w: 4, h: 2 },
    content: { text: 'hello world' },
    author: 'u',
  })
  addBlock(server, { id: 'block_C', type: 'table', position: { x: 8, y: 0, w: 4, h: 2 }, author: 'u' })
  const client = new Y.Doc()
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server))
  return { server, client }
}

/** The update a client edit produces, against what the server already has. */
function edit(client: Y.Doc, server: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const before = Y.encodeStateVector(server)
  change(client)
  return Y.encodeStateAsUpdate(client, before)
}

const cases: Array<[string, (doc: Y.Doc) => void, string[]]> = [
  ['move', (doc) => moveBlock(doc, 'block_A', { x: 1, y: 3 }, 'v'), ['block_A']],
  ['resize', (doc) => resizeBlock(doc, 'block_C', { w: 2, h: 5 }, 'v'), ['block_C']],
  ['content field', (doc) => updateBlockContent(doc, 'block_A', { title: 'Sales' }, 'v'), ['block_A']],
  ['narrative insert', (doc) => insertNarrativeText(doc, 'block_B', 5, ',', 'v'), ['block_B']],
  ['narrative delete', (doc) => deleteNarrativeText(doc, 'block_B', 0, 6, 'v'), ['block_B']],
  ['delete block', (doc) => deleteBlock(doc, 'block_C'), ['block_C']],
  [
    'add block',
    (doc) =>
      addBlock(doc, { id: 'block_D', type: 'chart', position: { x: 0, y: 5, w: 2, h: 2 }, author: 'v' }),
    ['block_D'],
  ],
  ['meta only', (doc) => updateCanvasMeta(doc, { name: 'renamed' }), []],
  [
    'two blocks in one transaction',
    (doc) =>
      doc.transact(() => {
        moveBlock(doc, 'block_A', { x: 2, y: 2 }, 'v')
        insertNarrativeText(doc, 'block_B', 0, '>', 'v')
      }),
    ['block_A', 'block_B'],
  ],
  [
    'replace a block entry by its key',
    (doc) => doc.getMap('blocks').set('block_A', new Y.Map()),
    ['block_A'],
  ],
]

for (const [name, change, expected] of cases) {
  test(`touched blocks: ${name}`, () => {
    const { server, client } = setup()
    const update = edit(client, server, change)
    assert.equal([...touchedBlocks(server, readUpdateStructure(update))].sort(), expected)
  })
}

test('a new block and edits inside it in one update resolve through the update itself', () => {
  const { server, client } = setup()
  const update = edit(client, server, (doc) => {
    addBlock(doc, {
      id: 'block_E',
      type: 'narrative',
      position: { x: 0, y: 6, w: 2, h: 2 },
      content: { text: 'x' },
      author: 'v',
    })
    insertNarrativeText(doc, 'block_E', 1, 'yz', 'v')
  })
  assert.equal([...touchedBlocks(server, readUpdateStructure(update))], ['block_E'])
})

test('an update whose parent the server lacks touches nothing yet', () => {
  const { server, client } = setup()
  const missing = edit(client, server, (doc) =>
    addBlock(doc, { id: 'block_F', type: 'chart', position: { x: 0, y: 8, w: 2, h: 2 }, author: 'v' }),
  )
  const afterMissing = Y.encodeStateVector(client)
  updateBlockContent(client, 'block_F', { title: 't' }, 'v')
  const dependent = Y.encodeStateAsUpdate(client, afterMissing)
  assert.equal([...touchedBlocks(server, readUpdateStructure(dependent))], [])
  // Once the parent arrives, the parent's update is what gets checked.
  assert.equal([...touchedBlocks(server, readUpdateStructure(missing))], ['block_F'])
})

test.run()
