/** Server-side metrics sampled around a measured window. */
import type { EventLoopDelay, RunningServer } from '../servers/launch.ts'

export interface WindowSample {
  /** CPU used by the server in the window, in cores (1 = the whole server core). */
  readonly cpu: number
  readonly eld: EventLoopDelay
  readonly rss: number
}

/** Starts sampling at call time; `end()` returns the window's CPU, event-loop delay and RSS. */
export const openWindow = async (server: RunningServer): Promise<{ end: () => Promise<WindowSample> }> => {
  await server.resetEventLoopDelay()
  const cpu0 = server.cpuSeconds()
  const t0 = performance.now()
  return {
    end: async () => {
      const cpu = (server.cpuSeconds() - cpu0) / ((performance.now() - t0) / 1000)
      const eld = await server.eventLoopDelay()
      return { cpu, eld, rss: server.rssBytes() }
    },
  }
}

/** Collects one window per load step, driven by the load worker's measure-start/measure-end events. */
export class StepWindows {
  private readonly server: RunningServer
  private current: { end: () => Promise<WindowSample> } | null = null
  readonly samples = new Map<number, WindowSample>()

  constructor(server: RunningServer) {
    this.server = server
  }

  readonly onEvent = async (name: string, step: number | undefined): Promise<void> => {
    if (name === 'measure-start') {
      this.current = await openWindow(this.server)
    } else if (name === 'measure-end' && this.current && step !== undefined) {
      this.samples.set(step, await this.current.end())
      this.current = null
    }
  }
}

export const MB = 1024 * 1024
