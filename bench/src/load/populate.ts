/** Writes a stored canvas through the server's own protocol, then confirms a fresh joiner sees all of it. */
import { RawClient } from '../clients/raw-client.ts'
import { sleep } from '../lib/time.ts'
import type { PopulateJob, PopulateResult } from './jobs.ts'

const MAX_BUFFERED = 1 << 20
const TIMEOUT_MS = 60_000

export const runPopulate = async (job: PopulateJob): Promise<PopulateResult> => {
  const writer = new RawClient(job.target, 1, { sender: false })
  await writer.connect(TIMEOUT_MS)
  let sent = 0
  for (const b64 of job.updates) {
    writer.sendUpdate(Buffer.from(b64, 'base64'))
    sent++
    while (writer.bufferedAmount > MAX_BUFFERED) await sleep(5)
  }
  const marker = Buffer.from(job.endMarker, 'latin1')
  const deadline = Date.now() + TIMEOUT_MS
  let confirmed = false
  while (!confirmed && Date.now() < deadline) {
    await sleep(200)
    const check = new RawClient(job.target, 2, { sender: false, expectMarker: marker })
    await check.connect(TIMEOUT_MS)
    confirmed = check.step2HadMarker
    await check.close()
  }
  await writer.close()
  if (writer.closedWith && writer.closedWith.code !== 1000 && writer.closedWith.code !== 1005) {
    throw new Error(`the server closed the writer with ${writer.closedWith.code} ${writer.closedWith.reason}`)
  }
  return { kind: 'populate', sent, confirmed }
}
