import { randomUUID } from 'node:crypto'
import { busChannelOf } from '../bus-channel.ts'
import { distinctListener, subscriptionOf } from '../bus-subscription.ts'
import type { Bus, BusListener, BusMessage, Subscription } from '../ports.ts'
import { type AdapterLogger, consoleLogger, describeError } from './log.ts'

/**
 * The in-process transport several MemoryBus instances share, standing in for one Redis: buses made on one hub
 * see each other's messages, so multi-instance logic (relay, gap repair, live revocation) runs embedded.
 */
export class MemoryBusHub {
  private readonly members = new Set<MemoryBus>()

  /** @internal called by MemoryBus */
  join(bus: MemoryBus): void {
    this.members.add(bus)
  }

  /** @internal called by MemoryBus */
  leave(bus: MemoryBus): void {
    this.members.delete(bus)
  }

  /** @internal called by MemoryBus.publish */
  broadcast(message: BusMessage): void {
    for (const member of this.members) {
      // Delivery is asynchronous like a real bus, so a publisher never re-enters its own listeners synchronously.
      // Microtasks run FIFO, which keeps one publisher's messages in order, as one Redis connection does.
      const copy = copyMessage(message)
      queueMicrotask(() => member.deliver(copy))
    }
  }
}

/** A received message owns its bytes, as a decoded Redis frame does: receivers cannot see the sender mutate it. */
function copyMessage(message: BusMessage): BusMessage {
  switch (message.kind) {
    case 'update':
      return { ...message, update: new Uint8Array(message.update) }
    case 'awareness':
      return { ...message, payload: new Uint8Array(message.payload) }
    case 'access':
    case 'locks':
      return { ...message }
    default: {
      const never: never = message
      throw new Error(`unknown bus message ${JSON.stringify(never)}`)
    }
  }
}

export interface MemoryBusOptions {
  /** Buses sharing a hub behave like instances sharing one Redis; default: a private hub. */
  readonly hub?: MemoryBusHub
  readonly instanceId?: string
  readonly logger?: AdapterLogger
}

export class MemoryBus implements Bus {
  readonly instanceId: string
  private readonly hub: MemoryBusHub
  private readonly logger: AdapterLogger
  /** Listener sets per channel; the key null is the global channel. */
  private readonly channels = new Map<string | null, Set<BusListener>>()
  private readonly reconnectListeners: Array<() => void> = []
  private connected = true
  private closed = false

  constructor(options: MemoryBusOptions = {}) {
    this.hub = options.hub ?? new MemoryBusHub()
    this.instanceId = options.instanceId ?? randomUUID()
    this.logger = options.logger ?? consoleLogger
    this.hub.join(this)
  }

  async publish(message: BusMessage): Promise<void> {
    if (this.closed) throw new Error(`bus publish failed: bus ${this.instanceId} is closed`)
    this.hub.broadcast(message)
  }

  async subscribe(canvasId: string | null, listener: BusListener): Promise<Subscription> {
    if (this.closed) throw new Error(`bus subscribe failed: bus ${this.instanceId} is closed`)
    let listeners = this.channels.get(canvasId)
    if (listeners === undefined) {
      listeners = new Set()
      this.channels.set(canvasId, listeners)
    }
    const entry = distinctListener(listener)
    listeners.add(entry)
    return subscriptionOf(async () => {
      const current = this.channels.get(canvasId)
      if (current === undefined) return
      current.delete(entry)
      if (current.size === 0) this.channels.delete(canvasId)
    })
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener)
  }

  async close(): Promise<void> {
    this.closed = true
    this.channels.clear()
    this.hub.leave(this)
  }

  /**
   * Test hook: behaves like a dropped subscriber connection. Messages sent to this instance are lost until
   * simulateReconnect(), which then fires the onReconnect listeners so rooms repair from the journal.
   */
  simulateDisconnect(): void {
    this.connected = false
  }

  simulateReconnect(): void {
    if (this.connected || this.closed) return
    this.connected = true
    for (const listener of [...this.reconnectListeners]) {
      try {
        listener()
      } catch (error) {
        this.logger.error(
          { instanceId: this.instanceId, error: describeError(error) },
          'bus reconnect listener threw',
        )
      }
    }
  }

  /** @internal called by MemoryBusHub */
  deliver(message: BusMessage): void {
    if (!this.connected || this.closed) return
    const listeners = this.channels.get(busChannelOf(message))
    if (listeners === undefined) return
    for (const listener of [...listeners]) {
      // A listener still subscribed when delivery starts but removed by an earlier one must not be called.
      if (!listeners.has(listener)) continue
      try {
        listener(message)
      } catch (error) {
        this.logger.error(
          {
            instanceId: this.instanceId,
            canvasId: message.canvasId,
            kind: message.kind,
            error: describeError(error),
          },
          'bus listener threw',
        )
      }
    }
  }
}
