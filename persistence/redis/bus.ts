import { randomUUID } from 'node:crypto'
import { busChannelOf } from '../bus-channel.ts'
import { distinctListener, subscriptionOf } from '../bus-subscription.ts'
import { type AdapterLogger, consoleLogger, describeError } from '../memory/log.ts'
import type { Bus, BusListener, BusMessage, Subscription } from '../ports.ts'
import { decodeBusMessage, encodeBusMessage } from './bus-codec.ts'
import { openDerived, type RedisAdapterOptions, RedisHandle } from './connection.ts'
import { RedisAdapterError, redisCall } from './errors.ts'
import { type RedisKeys, redisKeys } from './keys.ts'

export interface RedisBusOptions extends RedisAdapterOptions {
  readonly instanceId?: string
}

interface ChannelState {
  readonly listeners: Set<BusListener>
  /** Whether SUBSCRIBE was last sent (and not undone by UNSUBSCRIBE) for this channel. */
  subscribed: boolean
  /** SUBSCRIBE/UNSUBSCRIBE for one channel run one at a time, so racing subscribe/unsubscribe calls converge. */
  queue: Promise<void>
}

/**
 * Redis pub/sub bus: one channel per canvas (`canvas:bus:{<canvasId>}`) plus a global channel for access changes
 * (see busChannelOf). Publishing uses the given connection; subscriptions use a connection of our own, since a
 * subscribed connection can do nothing else.
 *
 * Reconnect: ioredis's automatic resubscription is off. After the subscriber comes back we SUBSCRIBE again and
 * only once Redis has confirmed it do we fire onReconnect; a room that then repairs from the journal cannot miss
 * a message published between its journal read and the resubscription.
 */
export class RedisBus implements Bus {
  readonly instanceId: string
  private readonly publisher: RedisHandle
  private readonly subscriber: RedisHandle
  private readonly keys: RedisKeys
  private readonly logger: AdapterLogger
  private readonly channels = new Map<string, ChannelState>()
  private readonly reconnectListeners: Array<() => void> = []
  private readyOnce = false
  private closed = false

  constructor(options: RedisBusOptions) {
    this.instanceId = options.instanceId ?? randomUUID()
    this.logger = options.logger ?? consoleLogger
    this.keys = redisKeys(options.prefix)
    this.publisher = RedisHandle.open(options.redis, `jabiru-bus-pub-${this.instanceId}`, this.logger)
    const subscriberName = `jabiru-bus-sub-${this.instanceId}`
    const subscriber = openDerived(options.redis, { autoResubscribe: false, connectionName: subscriberName })
    subscriber.on('messageBuffer', (channel: Buffer, frame: Buffer) =>
      this.receive(channel.toString(), frame),
    )
    subscriber.on('ready', () => this.onSubscriberReady())
    this.subscriber = RedisHandle.own(subscriber, subscriberName, this.logger)
  }

  async publish(message: BusMessage): Promise<void> {
    if (this.closed) throw new Error(`bus publish failed: bus ${this.instanceId} is closed`)
    const frame = encodeBusMessage(message)
    const channel = this.channelOf(busChannelOf(message))
    await redisCall('bus publish', () => this.publisher.client.publish(channel, frame))
  }

  async subscribe(canvasId: string | null, listener: BusListener): Promise<Subscription> {
    if (this.closed) throw new Error(`bus subscribe failed: bus ${this.instanceId} is closed`)
    const channel = this.channelOf(canvasId)
    let state = this.channels.get(channel)
    if (state === undefined) {
      state = { listeners: new Set(), subscribed: false, queue: Promise.resolve() }
      this.channels.set(channel, state)
    }
    const entry = distinctListener(listener)
    state.listeners.add(entry)
    try {
      await this.reconcile(channel, state)
    } catch (error) {
      state.listeners.delete(entry)
      throw error
    }
    let active = true
    return subscriptionOf(async () => {
      if (!active) return
      active = false
      state.listeners.delete(entry)
      await this.reconcile(channel, state)
    })
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.channels.clear()
    await Promise.all([this.subscriber.close(), this.publisher.close()])
  }

  private channelOf(canvasId: string | null): string {
    return canvasId === null ? this.keys.busGlobal() : this.keys.busCanvas(canvasId)
  }

  /** Brings the server-side subscription of `channel` in line with whether it has listeners, in call order. */
  private reconcile(channel: string, state: ChannelState): Promise<void> {
    const step = state.queue.then(() => this.applySubscription(channel, state))
    // The caller awaiting `step` receives its error; the queue only needs ordering, so it continues regardless.
    state.queue = step.then(
      () => undefined,
      () => undefined,
    )
    return step
  }

  private async applySubscription(channel: string, state: ChannelState): Promise<void> {
    if (this.closed) return
    const wanted = state.listeners.size > 0
    if (wanted && !state.subscribed) {
      await redisCall('bus subscribe', () => this.subscriber.client.subscribe(channel))
      state.subscribed = true
    } else if (!wanted && state.subscribed) {
      await redisCall('bus unsubscribe', () => this.subscriber.client.unsubscribe(channel))
      state.subscribed = false
    }
    if (state.listeners.size === 0 && !state.subscribed && this.channels.get(channel) === state) {
      this.channels.delete(channel)
    }
  }

  /** A frame is only trusted on the channel it maps to (busChannelOf; a malformed canvas id maps to none). */
  private belongsTo(message: BusMessage, channel: string): boolean {
    try {
      return this.channelOf(busChannelOf(message)) === channel
    } catch (error) {
      if (error instanceof RangeError) return false
      throw error
    }
  }

  private onSubscriberReady(): void {
    if (!this.readyOnce) {
      this.readyOnce = true
      return
    }
    void this.resubscribeThenNotify()
  }

  private async resubscribeThenNotify(): Promise<void> {
    const channels = [...this.channels]
      .filter(([, state]) => state.listeners.size > 0)
      .map(([channel]) => channel)
    if (channels.length > 0) {
      try {
        await this.subscriber.client.subscribe(...channels)
      } catch (error) {
        // The connection dropped again; its next 'ready' runs this again, and only a success notifies.
        this.logger.warn(
          { instanceId: this.instanceId, error: new RedisAdapterError('bus resubscribe', error).message },
          'bus resubscribe failed; waiting for the next reconnect',
        )
        return
      }
    }
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

  private receive(channel: string, frame: Buffer): void {
    const state = this.channels.get(channel)
    if (state === undefined || state.listeners.size === 0) return
    const decoded = decodeBusMessage(frame)
    if (!decoded.ok) {
      this.logger.warn(
        { channel, bytes: frame.length, reason: decoded.reason },
        'dropping malformed bus frame',
      )
      return
    }
    const message = decoded.message
    if (!this.belongsTo(message, channel)) {
      this.logger.warn(
        { channel, canvasId: message.canvasId },
        'dropping bus message published on the wrong channel',
      )
      return
    }
    for (const listener of [...state.listeners]) {
      // A listener removed by an earlier listener during this delivery must not be called.
      if (!state.listeners.has(listener)) continue
      try {
        listener(message)
      } catch (error) {
        this.logger.error(
          { instanceId: this.instanceId, channel, kind: message.kind, error: describeError(error) },
          'bus listener threw',
        )
      }
    }
  }
}
