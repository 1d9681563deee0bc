/**
 * Measures what an edit costs on its way through the server before it is relayed, step by step, cold and warm:
 * decoding and validating the frame, the changes-nothing check, the durable journal append (the group commit over
 * the embedded log store: one write(2), no fsync, as `npm start` runs) and, after the relay, `Y.applyUpdate`.
 * Beside it, the same edits through what the y-websocket reference server (bench's peer) does before its first
 * socket write: y-protocols' `readSyncMessage`, which applies the update, and the broadcast message its `update`
 * handler encodes. Each edit runs through both, in turns: each path is timed only on the edits it takes first.
 * The edits have bench S3's shape: 50 clients, each setting its own key of one map to a numbered, padded string.
 * Back to back by default (caches warm, the cheapest case); with a gap, one edit every that many milliseconds, as
 * S3 at 50 clients sends them (4 ms), so each step runs from the colder caches a real server's edits meet.
 *
 *   npx tsx scripts/measure-update-path.ts [edits per client, default 400] [gap ms, default 0]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import * as Y from 'yjs'
import { LogDocumentStore } from '../persistence/log/log-document-store.ts'
import { openSqlDatabase } from '../persistence/sql/connect.ts'
import { SqlDocumentStates } from '../persistence/sql/document-states.ts'
import { migrateToLatest } from '../schema/migrate.ts'
import { changesNothing } from '../server/rooms/changes-nothing.ts'
import { decodeInbound } from '../server/rooms/inbound.ts'
import { GroupCommitJournal } from '../server/rooms/journal.ts'
import { updateFrame } from '../server/rooms/outbound.ts'
import { MessageType } from '../shared/protocol.ts'

const CLIENTS = 50
const DEFAULT_EDITS_PER_CLIENT = 400
const MAX_GAP_MS = 1000
/** Each path's first timed edits run in a fresh process's interpreter: reported apart from the rest. */
const COLD_EDITS = 250
const PADDING = 'x'.repeat(60)
const CANVAS_ID = '00000000-0000-4000-8000-0000000000c3'
const AUTHOR = '00000000-0000-4000-8000-00000000000a'

const STEPS = [
  'decode',
  'changesNothing',
  'journalAppend',
  'jabiruBeforeRelay',
  'applyUpdate',
  'referenceBeforeRelay',
] as const
type Step = (typeof STEPS)[number]

/** Every client's edits, made up front (a Y.Doc per client) so building them is not timed. */
function clientFrames(editsPerClient: number): Uint8Array[] {
  const frames: Uint8Array[][] = []
  for (let c = 0; c < CLIENTS; c++) {
    const doc = new Y.Doc()
    const own: Uint8Array[] = []
    doc.on('update', (update: Uint8Array) => own.push(updateFrame(update)))
    for (let e = 0; e < editsPerClient; e++) doc.getMap('bench').set(`client-${c}`, `${e}|${PADDING}`)
    frames.push(own)
    doc.destroy()
  }
  // Round robin, as the clients' sends interleave on the server.
  const interleaved: Uint8Array[] = []
  for (let e = 0; e < editsPerClient; e++) for (const own of frames) interleaved.push(own[e] as Uint8Array)
  return interleaved
}

/**
 * The reference server's steps from a frame to the broadcast message it writes to every socket (y-websocket 1.5.4
 * `bin/utils.js`: `messageListener` reads the sync message into the document, whose `update` handler encodes it).
 */
function referencePath(): { receive(frame: Uint8Array): number } {
  const doc = new Y.Doc()
  let broadcast: Uint8Array | null = null
  doc.on('update', (update: Uint8Array) => {
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MessageType.Sync)
    syncProtocol.writeUpdate(encoder, update)
    broadcast = encoding.toUint8Array(encoder)
  })
  return {
    receive(frame) {
      const started = performance.now()
      broadcast = null
      const decoder = decoding.createDecoder(frame)
      const reply = encoding.createEncoder()
      if (decoding.readVarUint(decoder) !== MessageType.Sync) throw new Error('expected a sync frame')
      encoding.writeVarUint(reply, MessageType.Sync)
      syncProtocol.readSyncMessage(decoder, reply, doc, null)
      const took = performance.now() - started
      if (broadcast === null) throw new Error('the reference path broadcast nothing')
      return took
    },
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN
}

function summarize(samples: readonly number[]): { p50Us: number; p99Us: number; meanUs: number } {
  const sorted = [...samples].sort((a, b) => a - b)
  const us = (ms: number) => Math.round(ms * 10_000) / 10
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length
  return { p50Us: us(percentile(sorted, 0.5)), p99Us: us(percentile(sorted, 0.99)), meanUs: us(mean) }
}

async function main(): Promise<void> {
  const editsPerClient = Number(process.argv[2] ?? DEFAULT_EDITS_PER_CLIENT)
  if (!Number.isInteger(editsPerClient) || editsPerClient < 10) {
    throw new Error(`edits per client must be an integer of at least 10, got ${process.argv[2]}`)
  }
  const gapMs = Number(process.argv[3] ?? 0)
  if (!Number.isFinite(gapMs) || gapMs < 0 || gapMs > MAX_GAP_MS) {
    throw new Error(`gap must be 0 to ${MAX_GAP_MS} ms, got ${process.argv[3]}`)
  }
  const frames = clientFrames(editsPerClient)
  const db = openSqlDatabase({ kind: 'pglite', dataDir: null })
  const dir = mkdtempSync(join(tmpdir(), 'jabiru-update-path-'))
  let store: LogDocumentStore | null = null
  try {
    await migrateToLatest(db)
    store = await LogDocumentStore.open({ dir, states: new SqlDocumentStates(db) })
    const journal = new GroupCommitJournal(store)
    const doc = new Y.Doc()
    const samples = new Map<Step, number[]>(STEPS.map((step) => [step, []]))
    const record = (step: Step, ms: number) => samples.get(step)?.push(ms)
    const jabiru = async (frame: Uint8Array, timed: boolean): Promise<void> => {
      const t0 = performance.now()
      const message = decodeInbound(frame)
      const t1 = performance.now()
      if (message.type !== 'update') throw new Error(`expected an update frame, decoded ${message.type}`)
      if (changesNothing(doc, message.decoded)) throw new Error('an edit was taken for a repeat')
      const t2 = performance.now()
      // Sequential, as a quiet canvas commits each edit at once; what the relay waits for.
      await journal.append({ canvasId: CANVAS_ID, update: message.update, authorId: AUTHOR })
      // The broadcast message the room relays (a client's update frame has the same bytes).
      updateFrame(message.update)
      const t3 = performance.now()
      Y.applyUpdate(doc, message.update)
      const t4 = performance.now()
      if (!timed) return
      record('decode', t1 - t0)
      record('changesNothing', t2 - t1)
      record('journalAppend', t3 - t2)
      record('jabiruBeforeRelay', t3 - t0)
      record('applyUpdate', t4 - t3)
    }
    const reference = referencePath()
    for (const [i, frame] of frames.entries()) {
      if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs))
      if (i % 2 === 0) {
        await jabiru(frame, true)
        reference.receive(frame)
      } else {
        record('referenceBeforeRelay', reference.receive(frame))
        await jabiru(frame, false)
      }
    }
    const report: Record<string, unknown> = {
      edits: frames.length,
      gapMs,
      medianFrameBytes: percentile(
        frames.map((frame) => frame.length).sort((a, b) => a - b),
        0.5,
      ),
    }
    for (const step of STEPS) {
      const all = samples.get(step) ?? []
      report[step] = {
        [`first${COLD_EDITS}`]: summarize(all.slice(0, COLD_EDITS)),
        lastHalf: summarize(all.slice(Math.floor(all.length / 2))),
      }
    }
    console.log(JSON.stringify(report, null, 2))
  } finally {
    // Closing releases the store's lock file beside the directory, which removing the directory leaves.
    await store?.close()
    await db.destroy()
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
