/** Opens many clients with bounded concurrency. */
import { RawClient, type RawClientOptions, type Target } from '../clients/raw-client.ts'

export interface Planned {
  readonly target: Target
  readonly id: number
  readonly options: RawClientOptions
}

export interface Opened {
  readonly clients: RawClient[]
  readonly errors: string[]
}

/** Connects `plan` with at most `concurrency` attempts in flight; failures are collected, not thrown. */
export const connectAll = async (
  plan: readonly Planned[],
  concurrency: number,
  timeoutMs: number,
): Promise<Opened> => {
  const clients: RawClient[] = []
  const errors: string[] = []
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < plan.length) {
      const p = plan[next++]!
      const client = new RawClient(p.target, p.id, p.options)
      try {
        await client.connect(timeoutMs)
        clients.push(client)
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err))
        client.terminate()
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, plan.length) }, lane))
  return { clients, errors }
}

export const closeAll = async (clients: readonly RawClient[]): Promise<void> => {
  await Promise.all(clients.map((c) => c.close()))
}
