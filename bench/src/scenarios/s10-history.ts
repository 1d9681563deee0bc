/**
 * S10 history: a canvas with 1,000 versions (an edit, then a named version, each time), then the
 * latency of rebuilding it at random versions (GET .../versions/:version/ydoc).
 */
import * as Y from 'yjs'
import { RawClient, type Target } from '../clients/raw-client.ts'
import type { Config } from '../config.ts'
import { Samples, type Summary } from '../lib/stats.ts'
import { makeStamp, nowMicros } from '../protocol/stamp.ts'
import { JABIRU, JABIRU_POSTGRES } from '../servers/catalog.ts'
import type { JabiruSession } from '../servers/jabiru-api.ts'
import { canvasNames } from './fanout-common.ts'
import type { ScenarioDef } from './types.ts'

const WRITER_ID = 1
const READER_ID = 2
const CONNECT_TIMEOUT_MS = 30_000
/** Longest wait for one edit to come back through the server (journaled, then relayed). */
const RELAY_TIMEOUT_MS = 10_000
const REQUEST_TIMEOUT_MS = 30_000
const MAP = 'm'

interface Stored {
  readonly version: number
  /** Index of the last edit the version holds (the canvas then has entries e0..e<edit>). */
  readonly edit: number
}

interface Population {
  readonly versions: readonly Stored[]
  readonly seconds: number
  /** POST /versions latency during population, ms. */
  readonly createMs: Summary
}

const auth = (session: JabiruSession): Record<string, string> => ({
  authorization: `Bearer ${session.token}`,
})

/** Resolves once the reader has seen the edit with sequence number `seq` (stamps carry it). */
class RelayWatch {
  private seen = -1
  private waiter: { seq: number; resolve: () => void } | null = null

  readonly onStamp = (stamp: { readonly sender: number; readonly seq: number }): void => {
    if (stamp.sender !== WRITER_ID || stamp.seq <= this.seen) return
    this.seen = stamp.seq
    if (this.waiter && this.seen >= this.waiter.seq) {
      this.waiter.resolve()
      this.waiter = null
    }
  }

  relayed(seq: number, timeoutMs: number): Promise<void> {
    if (this.seen >= seq) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null
        reject(new Error(`edit ${seq} was not relayed within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiter = {
        seq,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
      }
    })
  }
}

const createVersion = async (session: JabiruSession, canvasId: string, label: string): Promise<number> => {
  const res = await fetch(`${session.base}/api/canvases/${canvasId}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth(session) },
    body: JSON.stringify({ label }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  })
  const text = await res.text()
  if (res.status !== 201) throw new Error(`create version: HTTP ${res.status} ${text.slice(0, 300)}`)
  const body = JSON.parse(text) as { readonly version?: unknown }
  if (typeof body.version !== 'number') throw new Error(`create version: no version in ${text.slice(0, 200)}`)
  return body.version
}

/**
 * Edit i adds the map entry e<i> (a stamp, then padding) through a WebSocket; once a second client
 * has received it (so the server has journaled and applied it), a named version is created over HTTP.
 */
const populate = async (
  canvas: Target,
  session: JabiruSession,
  count: number,
  entryChars: number,
): Promise<Population> => {
  const doc = new Y.Doc()
  const map = doc.getMap<string>(MAP)
  const produced: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => {
    produced.push(update)
  })
  const watch = new RelayWatch()
  const writer = new RawClient(canvas, WRITER_ID, { sender: false })
  const reader = new RawClient(canvas, READER_ID, { sender: false, onUpdateStamp: watch.onStamp })
  await Promise.all([writer.connect(CONNECT_TIMEOUT_MS), reader.connect(CONNECT_TIMEOUT_MS)])
  const padding = 'v'.repeat(entryChars)
  const versions: Stored[] = []
  const createMs = new Samples()
  const started = performance.now()
  try {
    for (let i = 0; i < count; i++) {
      const stamp = makeStamp(nowMicros(), WRITER_ID, i)
      map.set(`e${i}`, stamp + padding.slice(stamp.length))
      const update = produced.shift()
      if (!update || produced.length > 0) throw new Error('expected exactly one Yjs update per edit')
      writer.sendUpdate(update)
      await watch.relayed(i, RELAY_TIMEOUT_MS)
      const t0 = performance.now()
      const version = await createVersion(session, canvas.docName, `bench ${i}`)
      createMs.add(performance.now() - t0)
      versions.push({ version, edit: i })
    }
  } finally {
    await Promise.all([writer.close(), reader.close()])
    doc.destroy()
  }
  const closed = writer.closedWith ?? reader.closedWith
  if (closed && closed.code !== 1000 && closed.code !== 1005) {
    throw new Error(`the server closed a populating client with ${closed.code} ${closed.reason}`)
  }
  return { versions, seconds: (performance.now() - started) / 1000, createMs: createMs.summarize() }
}

/** The server's own time for a request, from its `Server-Timing: total;dur=…` header (NaN when absent). */
const serverMs = (res: Response): number => {
  const match = /total;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')
  return match ? Number(match[1]) : Number.NaN
}

/** Fetches the version's ydoc; returns the time to the last byte, the server's own time and the body. */
const fetchYdoc = async (
  session: JabiruSession,
  canvasId: string,
  version: number,
): Promise<{ ms: number; serverMs: number; body: Uint8Array }> => {
  const t0 = performance.now()
  const res = await fetch(`${session.base}/api/canvases/${canvasId}/versions/${version}/ydoc`, {
    headers: auth(session),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  })
  const body = new Uint8Array(await res.arrayBuffer())
  const ms = performance.now() - t0
  if (res.status !== 200) {
    throw new Error(
      `GET version ${version} ydoc: HTTP ${res.status} ${Buffer.from(body).toString().slice(0, 200)}`,
    )
  }
  return { ms, serverMs: serverMs(res), body }
}

/** Does the rebuilt document hold exactly edits e0..e<edit>? */
const holds = (body: Uint8Array, edit: number): boolean => {
  const doc = new Y.Doc()
  try {
    Y.applyUpdate(doc, body)
    const map = doc.getMap<string>(MAP)
    return map.size === edit + 1 && map.has(`e${edit}`) && map.has('e0')
  } finally {
    doc.destroy()
  }
}

export const s10 = (cfg: Config): ScenarioDef => {
  const { versions, entryChars, samples, warmupRequests } = cfg.s10
  return {
    id: 'S10',
    title: 'History replay',
    description:
      `One canvas gets ${versions.toLocaleString('en-US')} versions: each time a client adds a new ` +
      `${entryChars}-character map entry over the WebSocket, a second client waits until the server relays it, ` +
      'then POST /api/canvases/:id/versions creates a named version (default VERSION_KEYFRAME_INTERVAL=20: a ' +
      `keyframe every 20 versions, deltas between), so the canvas grows to about ${Math.round((versions * entryChars) / 1000)} KB. ` +
      `Then ${samples} random versions (after ${warmupRequests} unmeasured ones) are fetched one request at a ` +
      'time with GET /api/canvases/:id/versions/:version/ydoc, timed at the client (orchestrator, core 1) to the ' +
      'last byte (and at the server, from its Server-Timing header), each checked to hold exactly that ' +
      'version\'s edits. That route is "replay to any version": ' +
      'it rebuilds the canvas at the version from its keyframe and fewer than 20 deltas and returns the Yjs ' +
      'state a client loads; GET /replay?from&to instead streams every version of a range one by one (a ' +
      'time-lapse whose cost grows with the range), which is not the target. With the two clients still ' +
      'connected (the room stays loaded). Jabiru only: the peers keep no history.',
    servers: [JABIRU, JABIRU_POSTGRES],
    variants: [{ key: 'replay', label: `${versions.toLocaleString('en-US')} versions` }],
    metrics: [
      { key: 'p50', label: 'replay p50', unit: 'ms', better: 'lower' },
      { key: 'p99', label: 'replay p99', unit: 'ms', better: 'lower' },
      { key: 'max', label: 'replay max', unit: 'ms', better: 'lower' },
      { key: 'serverP99', label: 'replay p99, server time', unit: 'ms', better: 'lower' },
      { key: 'kb', label: 'ydoc size (mean)', unit: 'KB', better: 'lower' },
      { key: 'createP50', label: 'create version p50', unit: 'ms', better: 'lower' },
      { key: 'createP99', label: 'create version p99', unit: 'ms', better: 'lower' },
      { key: 'populateS', label: `populate ${versions} versions`, unit: 's', better: 'lower' },
    ],
    headline: ['p99'],
    measure: async (spec, ctx) => {
      const server = await ctx.start(spec)
      const [canvas] = await server.canvases(canvasNames(ctx.runId, 's10', 1), ctx.runId)
      if (!canvas) throw new Error('no canvas')
      const session = await server.jabiruSession(ctx.runId)
      const population = await populate(canvas, session, versions, entryChars)
      ctx.log(`  S10 ${spec.name}: ${versions} versions in ${population.seconds.toFixed(1)} s`)
      const pick = (): Stored => population.versions[Math.floor(Math.random() * population.versions.length)]!

      for (let i = 0; i < warmupRequests; i++) await fetchYdoc(session, canvas.docName, pick().version)
      const latency = new Samples()
      const atServer = new Samples()
      let bytes = 0
      const wrong: number[] = []
      for (let i = 0; i < samples; i++) {
        const stored = pick()
        const { ms, serverMs, body } = await fetchYdoc(session, canvas.docName, stored.version)
        latency.add(ms)
        if (!Number.isNaN(serverMs)) atServer.add(serverMs)
        bytes += body.byteLength
        if (!holds(body, stored.edit)) wrong.push(stored.version)
      }
      if (wrong.length > 0) {
        throw new Error(
          `${wrong.length} of ${samples} fetched versions did not hold exactly their edits (e.g. version ${wrong[0]})`,
        )
      }
      const replay = latency.summarize()
      return {
        values: {
          replay: {
            p50: replay.p50,
            p99: replay.p99,
            max: replay.max,
            serverP99: atServer.summarize().p99,
            kb: bytes / samples / 1000,
            createP50: population.createMs.p50,
            createP99: population.createMs.p99,
            populateS: population.seconds,
          },
        },
        details: {
          versions: population.versions.length,
          firstVersion: population.versions[0]?.version,
          lastVersion: population.versions.at(-1)?.version,
          createMs: population.createMs,
          replayMs: replay,
          serverMs: atServer.summarize(),
        },
      }
    },
  }
}
