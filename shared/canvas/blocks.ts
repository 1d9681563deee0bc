import { uuidv4 } from 'lib0/random'
import * as Y from 'yjs'
import { CanvasModelError } from './errors.ts'
import { type BlockJSON, CONTENT_VALUE_DEPTH, readBlockJSON, readPosition } from './json.ts'
import {
  isJsonValue,
  isPlainObject,
  type JsonValue,
  jsonEqual,
  toJsonValue,
  UNSAFE_KEY,
} from './json-value.ts'
import {
  assertValidPosition,
  BLOCK_KEYS,
  type BlockPosition,
  type BlockType,
  CONTENT_KEYS,
  getBlocksMap,
  isBlockType,
  METADATA_KEYS,
  type TransactionOptions,
} from './layout.ts'

export const BLOCK_ID_PREFIX = 'block_'
export const MAX_BLOCK_ID_LENGTH = 128

/** Options shared by every block mutation helper. */
export interface MutationOptions extends TransactionOptions {
  /** Clock for the metadata timestamps; defaults to the current time. */
  readonly now?: Date
}

export type BlockContent = Readonly<Record<string, JsonValue>>
/** Content fields to set; a field whose value is `undefined` is deleted. */
export type ContentPatch = Readonly<Record<string, JsonValue | undefined>>

export interface NewBlock {
  /** Defaults to a fresh `block_<random>` id. */
  readonly id?: string
  readonly type: BlockType
  readonly position: BlockPosition
  /** Plain JSON fields; on a narrative, `text` (a string) becomes the initial content of its Y.Text. */
  readonly content?: BlockContent
  readonly author: string
}

/** Adds a block in one transaction and returns its id. */
export function addBlock(doc: Y.Doc, block: NewBlock, options: MutationOptions = {}): string {
  if (!isBlockType(block.type)) throw new CanvasModelError(`unknown block type ${String(block.type)}`)
  assertValidPosition(block.position)
  assertAuthor(block.author)
  const content = block.content ?? {}
  assertContent(content)
  const narrativeText = content[CONTENT_KEYS.text]
  if (block.type === 'narrative' && narrativeText !== undefined && typeof narrativeText !== 'string') {
    throw new CanvasModelError('the text of a narrative block must be a string')
  }
  const blocks = getBlocksMap(doc)
  const id = block.id ?? newBlockId(blocks)
  assertBlockId(id)
  if (blocks.has(id)) throw new CanvasModelError(`block ${id} already exists`)
  const timestamp = isoTimestamp(options.now)

  doc.transact(() => {
    const map = new Y.Map<unknown>()
    blocks.set(id, map)
    map.set(BLOCK_KEYS.id, id)
    map.set(BLOCK_KEYS.type, block.type)
    // position is a Y.Map, not a plain object, so that a concurrent move and resize merge field by field.
    const position = new Y.Map<unknown>()
    map.set(BLOCK_KEYS.position, position)
    const { x, y, w, h } = block.position
    for (const [key, value] of Object.entries({ x, y, w, h })) position.set(key, value)

    const contentMap = new Y.Map<unknown>()
    map.set(BLOCK_KEYS.content, contentMap)
    for (const [key, value] of Object.entries(content)) {
      if (block.type !== 'narrative' || key !== CONTENT_KEYS.text) contentMap.set(key, value)
    }
    if (block.type === 'narrative') {
      const text = new Y.Text()
      contentMap.set(CONTENT_KEYS.text, text)
      if (typeof narrativeText === 'string' && narrativeText.length > 0) text.insert(0, narrativeText)
    }

    const metadata = new Y.Map<unknown>()
    map.set(BLOCK_KEYS.metadata, metadata)
    metadata.set(METADATA_KEYS.createdBy, block.author)
    metadata.set(METADATA_KEYS.createdAt, timestamp)
    metadata.set(METADATA_KEYS.lastModifiedBy, block.author)
    metadata.set(METADATA_KEYS.lastModifiedAt, timestamp)
  }, options.origin)
  return id
}

/** The block as plain JSON (same normalisation as toCanvasJSON), or undefined if there is no such block. */
export function getBlock(doc: Y.Doc, id: string): BlockJSON | undefined {
  return readBlockJSON(id, getBlocksMap(doc).get(id))
}

/**
 * Moves a block, keeping its size. Only the coordinates that change are written: rewriting an unchanged x would
 * compete with (and could undo) another user's concurrent horizontal move. A move to the same place writes nothing.
 */
export function moveBlock(
  doc: Y.Doc,
  id: string,
  to: Pick<BlockPosition, 'x' | 'y'>,
  author: string,
  options: MutationOptions = {},
): void {
  setPosition(doc, id, { x: to.x, y: to.y }, author, options)
}

/** Resizes a block, keeping its top-left corner. Writes only the dimensions that change (see moveBlock). */
export function resizeBlock(
  doc: Y.Doc,
  id: string,
  size: Pick<BlockPosition, 'w' | 'h'>,
  author: string,
  options: MutationOptions = {},
): void {
  setPosition(doc, id, { w: size.w, h: size.h }, author, options)
}

function setPosition(
  doc: Y.Doc,
  id: string,
  change: Partial<BlockPosition>,
  author: string,
  options: MutationOptions,
): void {
  assertAuthor(author)
  const block = requireBlock(doc, id)
  const position = requireChildMap(block, BLOCK_KEYS.position, id)
  const metadata = requireChildMap(block, BLOCK_KEYS.metadata, id)
  // Validate against the position as readers see it (clamped), so the result is what every reader shows.
  const next = { ...readPosition(position), ...change }
  assertValidPosition(next)
  const changed = Object.entries(change).filter(([key, value]) => position.get(key) !== value)
  if (changed.length === 0) return
  const timestamp = isoTimestamp(options.now)
  doc.transact(() => {
    for (const [key, value] of changed) position.set(key, value)
    touch(metadata, author, timestamp)
  }, options.origin)
}

/**
 * Sets plain JSON content fields (a field set to `undefined` is deleted). Fields whose value is unchanged are not
 * rewritten. The text of a narrative is refused here: it is a Y.Text edited with insertNarrativeText and
 * deleteNarrativeText, so that concurrent typing merges character by character.
 */
export function updateBlockContent(
  doc: Y.Doc,
  id: string,
  patch: ContentPatch,
  author: string,
  options: MutationOptions = {},
): void {
  assertAuthor(author)
  if (!isPlainObject(patch)) throw new CanvasModelError('content patch must be a plain object')
  const block = requireBlock(doc, id)
  const content = requireChildMap(block, BLOCK_KEYS.content, id)
  const metadata = requireChildMap(block, BLOCK_KEYS.metadata, id)
  const isNarrative = block.get(BLOCK_KEYS.type) === 'narrative'
  const changed: [string, JsonValue | undefined][] = []
  for (const [key, value] of Object.entries(patch)) {
    if (isNarrative && key === CONTENT_KEYS.text) {
      throw new CanvasModelError(
        `the text of narrative block ${id} is a Y.Text: use insertNarrativeText/deleteNarrativeText`,
      )
    }
    assertContentKey(key)
    if (value !== undefined && !isJsonValue(value, CONTENT_VALUE_DEPTH)) {
      throw new CanvasModelError(`content field ${key} of block ${id} is not a JSON value`)
    }
    const present = content.has(key)
    if (value === undefined ? present : !present || !jsonEqual(toJsonValue(content.get(key)), value)) {
      changed.push([key, value])
    }
  }
  if (changed.length === 0) return
  const timestamp = isoTimestamp(options.now)
  doc.transact(() => {
    for (const [key, value] of changed) {
      if (value === undefined) content.delete(key)
      else content.set(key, value)
    }
    touch(metadata, author, timestamp)
  }, options.origin)
}

/** Inserts `text` at `index` (UTF-16 code units, as Y.Text counts) in a narrative block. */
export function insertNarrativeText(
  doc: Y.Doc,
  id: string,
  index: number,
  text: string,
  author: string,
  options: MutationOptions = {},
): void {
  assertAuthor(author)
  if (typeof text !== 'string') throw new CanvasModelError('inserted text must be a string')
  const { metadata, yText } = requireNarrativeText(doc, id)
  assertIndex(index, 0, yText.length, 'index')
  if (text.length === 0) return
  const timestamp = isoTimestamp(options.now)
  doc.transact(() => {
    yText.insert(index, text)
    touch(metadata, author, timestamp)
  }, options.origin)
}

/** Deletes `length` characters (UTF-16 code units) from `index` in a narrative block. */
export function deleteNarrativeText(
  doc: Y.Doc,
  id: string,
  index: number,
  length: number,
  author: string,
  options: MutationOptions = {},
): void {
  assertAuthor(author)
  const { metadata, yText } = requireNarrativeText(doc, id)
  assertIndex(index, 0, yText.length, 'index')
  assertIndex(length, 0, yText.length - index, 'length')
  if (length === 0) return
  const timestamp = isoTimestamp(options.now)
  doc.transact(() => {
    yText.delete(index, length)
    touch(metadata, author, timestamp)
  }, options.origin)
}

/** Deletes a block. Also removes an entry a client stored under the id that is not a valid block. */
export function deleteBlock(doc: Y.Doc, id: string, options: TransactionOptions = {}): void {
  const blocks = getBlocksMap(doc)
  if (!blocks.has(id)) throw new CanvasModelError(`unknown block ${id}`)
  doc.transact(() => blocks.delete(id), options.origin)
}

function requireBlock(doc: Y.Doc, id: string): Y.Map<unknown> {
  const block = getBlocksMap(doc).get(id)
  if (block === undefined) throw new CanvasModelError(`unknown block ${id}`)
  if (!(block instanceof Y.Map) || !isBlockType(block.get(BLOCK_KEYS.type))) {
    throw new CanvasModelError(`block ${id} is malformed`)
  }
  return block
}

function requireChildMap(block: Y.Map<unknown>, key: string, id: string): Y.Map<unknown> {
  const child = block.get(key)
  if (!(child instanceof Y.Map)) throw new CanvasModelError(`block ${id} is malformed: ${key} is not a Y.Map`)
  return child
}

function requireNarrativeText(doc: Y.Doc, id: string): { metadata: Y.Map<unknown>; yText: Y.Text } {
  const block = requireBlock(doc, id)
  if (block.get(BLOCK_KEYS.type) !== 'narrative') throw new CanvasModelError(`block ${id} is not a narrative`)
  const yText = requireChildMap(block, BLOCK_KEYS.content, id).get(CONTENT_KEYS.text)
  if (!(yText instanceof Y.Text)) throw new CanvasModelError(`block ${id} is malformed: text is not a Y.Text`)
  return { metadata: requireChildMap(block, BLOCK_KEYS.metadata, id), yText }
}

/**
 * Records who changed the block and when, inside the mutation's transaction. Every part of the block a mutation
 * touches is looked up and validated before its transaction starts: a throw mid-transaction would still commit
 * the writes made before it.
 */
function touch(metadata: Y.Map<unknown>, author: string, timestamp: string): void {
  metadata.set(METADATA_KEYS.lastModifiedBy, author)
  metadata.set(METADATA_KEYS.lastModifiedAt, timestamp)
}

function newBlockId(blocks: Y.Map<unknown>): string {
  let id: string
  do id = `${BLOCK_ID_PREFIX}${uuidv4().replaceAll('-', '')}`
  while (blocks.has(id))
  return id
}

function assertBlockId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_BLOCK_ID_LENGTH) {
    throw new CanvasModelError(
      `block id must be a non-empty string of at most ${MAX_BLOCK_ID_LENGTH} characters`,
    )
  }
}

function assertAuthor(author: unknown): asserts author is string {
  if (typeof author !== 'string' || author.length === 0) {
    throw new CanvasModelError('author must be a non-empty string')
  }
}

function assertContent(content: unknown): asserts content is BlockContent {
  if (!isPlainObject(content)) throw new CanvasModelError('block content must be a plain object')
  for (const [key, value] of Object.entries(content)) {
    assertContentKey(key)
    if (!isJsonValue(value, CONTENT_VALUE_DEPTH)) {
      throw new CanvasModelError(`content field ${key} is not a JSON value`)
    }
  }
}

function assertContentKey(key: string): void {
  if (key === UNSAFE_KEY) throw new CanvasModelError(`${UNSAFE_KEY} is not allowed as a content field`)
}

function assertIndex(value: number, min: number, max: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new CanvasModelError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`)
  }
}

function isoTimestamp(now: Date = new Date()): string {
  if (Number.isNaN(now.getTime())) throw new CanvasModelError('now must be a valid Date')
  return now.toISOString()
}
