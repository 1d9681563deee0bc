/**
 * Writes stored canvases through the server's own protocol (S5/S7 on Jabiru), then confirms a fresh
 * joiner receives all of each (its sync step 2 carries the end marker).
 */
import { RawClient, type Target } from '../clients/raw-client.ts'
import { sleep } from '../lib/time.ts'
import type { PopulateJob, PopulateResult } from './jobs.ts'

const MAX_BUFFERED = 1 << 20
const TIMEOUT_MS = 60_000

const confirm = async (target: Target, endMarker: string): Promise<void> => {
  const marker = Buffer.from(endMarker, 'latin1')
  const deadline = Date.now() + TIMEOUT_MS
  while (Date.now() < deadline) {
    const check = new RawClient(target, 2, { sender: false, expectMarker: marker })
    await check.connect(TIMEOUT_MS)
    const complete = check.step2HadMarker
    await check.close()
    if (complete) return
    await sleep(200)
  }
  throw new Error(`${target.docName}: the server never served the complete canvas`)
}

export const runPopulate = async (job: PopulateJob): Promise<PopulateResult> => {
  let sent = 0
  for (const canvas of job.canvases) {
    const writer = new RawClient(canvas.target, 1, { sender: false })
    await writer.connect(TIMEOUT_MS)
    for (const update of canvas.updates) {
      writer.sendUpdate(update)
      sent++
      while (writer.bufferedAmount > MAX_BUFFERED) await sleep(5)
    }
    await confirm(canvas.target, canvas.endMarker)
    await writer.close()
    const closed = writer.closedWith
    if (closed && closed.code !== 1000 && closed.code !== 1005) {
      throw new Error(
        `${canvas.target.docName}: the server closed the writer with ${closed.code} ${closed.reason}`,
      )
    }
  }
  return { kind: 'populate', sent }
}
