/**
 * Stored canvases for S5/S7, generated deterministically (seeded PRNG) and cached under
 * bench/.work/docs. Two shapes:
 * - append-only: one client appends shapes to an array, 10 per transaction (few, long item runs);
 * - fragmented: 16 clients take turns inserting and deleting text at random positions, editing
 *   shape maps and inserting/removing shapes at random indexes (many short items, tombstones).
 * Both end with an end marker in map `meta`, so a joiner can tell it received the whole canvas.
 * `updates` are the document's transactions merged into chunks of at most 16 KB (how Jabiru is
 * fed); `state` is the full state as one update (what the peers' stores hold).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as Y from 'yjs'

export type DocKind = 'append-only' | 'fragmented'

export interface StoredDoc {
  readonly kind: DocKind
  readonly bytes: number
  readonly state: Uint8Array
  readonly updates: readonly Uint8Array[]
  readonly transactions: number
  readonly endMarker: string
}

const CACHE = fileURLToPath(new URL('../../.work/docs/', import.meta.url))
const CHUNK_BYTES = 16 * 1024
const VERSION = 3

const prng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = ['rect', 'ellipse', 'arrow', 'note', 'frame', 'text', 'line', 'sticky', 'image', 'group']

const shape = (rand: () => number, i: number): Record<string, unknown> => ({
  id: `s${i}`,
  type: WORDS[Math.floor(rand() * WORDS.length)],
  x: Math.round(rand() * 4000),
  y: Math.round(rand() * 4000),
  w: Math.round(rand() * 300),
  h: Math.round(rand() * 300),
  fill: `#${Math.floor(rand() * 0xffffff)
    .toString(16)
    .padStart(6, '0')}`,
  label: `${WORDS[i % WORDS.length]} ${i}`,
})

const chunk = (txns: readonly Uint8Array[]): Uint8Array[] => {
  const out: Uint8Array[] = []
  let batch: Uint8Array[] = []
  let size = 0
  for (const u of txns) {
    if (size + u.length > CHUNK_BYTES && batch.length) {
      out.push(Y.mergeUpdates(batch))
      batch = []
      size = 0
    }
    batch.push(u)
    size += u.length
  }
  if (batch.length) out.push(Y.mergeUpdates(batch))
  return out
}

const generate = (kind: DocKind, targetBytes: number): StoredDoc => {
  const rand = prng(kind === 'append-only' ? 1 : 2)
  const doc = new Y.Doc()
  const txns: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => txns.push(u))
  const shapes = doc.getArray<Record<string, unknown>>('shapes')
  const text = doc.getText('body')
  const props = doc.getMap<Y.Map<unknown>>('props')
  let i = 0
  const size = (): number => Y.encodeStateAsUpdate(doc).length
  let nextCheck = 0
  while (true) {
    if (txns.length >= nextCheck) {
      const now = size()
      if (now >= targetBytes) break
      // Check again after 2% more transactions (the size grows roughly with their count).
      nextCheck = txns.length + Math.max(1, Math.floor(txns.length * 0.02))
    }
    if (kind === 'append-only') {
      doc.clientID = 1
      doc.transact(() => {
        for (let k = 0; k < 10; k++) shapes.push([shape(rand, i++)])
      })
    } else {
      doc.clientID = 100 + Math.floor(rand() * 16)
      const op = rand()
      doc.transact(() => {
        if (op < 0.45) {
          const pos = Math.floor(rand() * (text.length + 1))
          text.insert(pos, `${WORDS[Math.floor(rand() * WORDS.length)]} ${i++} `)
        } else if (op < 0.6 && text.length > 20) {
          const pos = Math.floor(rand() * (text.length - 10))
          text.delete(pos, 1 + Math.floor(rand() * 8))
        } else if (op < 0.8) {
          const key = `p${Math.floor(rand() * 400)}`
          let m = props.get(key)
          if (!m) {
            m = new Y.Map<unknown>()
            props.set(key, m)
          }
          m.set(WORDS[Math.floor(rand() * WORDS.length)]!, Math.round(rand() * 1000))
        } else if (op < 0.95 || shapes.length < 5) {
          shapes.insert(Math.floor(rand() * (shapes.length + 1)), [shape(rand, i++)])
        } else {
          shapes.delete(Math.floor(rand() * shapes.length), 1)
        }
      })
    }
  }
  const endMarker = `@@END-${kind}-${targetBytes}@@`
  doc.getMap('meta').set('end', endMarker)
  const state = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return { kind, bytes: state.length, state, updates: chunk(txns), transactions: txns.length, endMarker }
}

const memo = new Map<string, StoredDoc>()

/** The stored canvas of `kind` with a state of about `targetBytes`, from memory, disk cache, or generated. */
export const storedDoc = (kind: DocKind, targetBytes: number): StoredDoc => {
  const key = `v${VERSION}-${kind}-${targetBytes}`
  const hit = memo.get(key)
  if (hit) return hit
  const file = join(CACHE, `${key}.json`)
  let doc: StoredDoc
  if (existsSync(file)) {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Omit<StoredDoc, 'state' | 'updates'> & {
      state: string
      updates: string[]
    }
    doc = {
      ...raw,
      state: new Uint8Array(Buffer.from(raw.state, 'base64')),
      updates: raw.updates.map((u) => new Uint8Array(Buffer.from(u, 'base64'))),
    }
  } else {
    doc = generate(kind, targetBytes)
    mkdirSync(CACHE, { recursive: true })
    writeFileSync(
      file,
      JSON.stringify({
        ...doc,
        state: Buffer.from(doc.state).toString('base64'),
        updates: doc.updates.map((u) => Buffer.from(u).toString('base64')),
      }),
    )
  }
  memo.set(key, doc)
  return doc
}
