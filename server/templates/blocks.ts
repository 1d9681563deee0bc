import * as Y from 'yjs'
import type { TemplateBlock } from '../../persistence/ports.ts'
import { addBlock, type CanvasJSON, initCanvasDoc } from '../../shared/canvas/index.ts'

/** Most blocks a template may hold (a canvas past this is not a template, and the body limit applies anyway). */
export const MAX_TEMPLATE_BLOCKS = 500

/** A canvas's blocks as template blocks: layout and content, without who made them and when. */
export function templateBlocksOf(canvas: CanvasJSON): TemplateBlock[] {
  return canvas.blocks.map((block) => ({
    id: block.id,
    type: block.type,
    position: { ...block.position },
    content: block.content,
  }))
}

/**
 * Adds a template's blocks to a canvas document in one transaction, through the canvas model's own helper, so
 * they are validated exactly like blocks a client adds (grid rules, JSON content, narrative text as a Y.Text).
 * Throws a CanvasModelError (writing nothing) on an invalid block.
 */
export function addTemplateBlocks(
  doc: Y.Doc,
  blocks: readonly TemplateBlock[],
  author: string,
  now = new Date(),
): void {
  const scratch = new Y.Doc()
  try {
    // Validate on a scratch copy first: a throw half-way through the real transaction would commit the blocks
    // added before it.
    for (const block of blocks) addBlock(scratch, { ...block, author }, { now })
  } finally {
    scratch.destroy()
  }
  doc.transact(() => {
    for (const block of blocks) addBlock(doc, { ...block, author }, { now })
  })
}

/** Throws a CanvasModelError when the blocks could not be added to an empty canvas. */
export function assertValidTemplateBlocks(blocks: readonly TemplateBlock[], author: string): void {
  const doc = new Y.Doc()
  try {
    initCanvasDoc(doc, { name: 'template check' })
    addTemplateBlocks(doc, blocks, author)
  } finally {
    doc.destroy()
  }
}
