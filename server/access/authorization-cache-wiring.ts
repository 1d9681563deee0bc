import type { Bus, Subscription } from '../../persistence/ports.ts'
import type { AccessChangePublisher } from './access-events.ts'
import type { AuthorizationCache } from './authorization-cache.ts'

/**
 * Every access change (canvas-specific or user-wide: all travel on the global channel) from every instance,
 * including this one (the bus delivers our own messages back), and a full clear after the bus reconnected, since
 * messages may have been lost meanwhile. Subscribe before serving upgrades: a fill is trusted only while this
 * listens.
 */
export async function listenForAccessChanges(cache: AuthorizationCache, bus: Bus): Promise<Subscription> {
  bus.onReconnect(() => cache.clear())
  return bus.subscribe(null, (message) => {
    if (message.kind === 'access') cache.invalidate({ canvasId: message.canvasId, userId: message.userId })
  })
}

/**
 * Invalidates this instance's cache synchronously, before the change is announced on the bus, so a client whose
 * access was just taken away here (e.g. logged out: the 204 is sent only after this ran) is refused at its very
 * next upgrade here, whether or not the bus delivered the message back yet. Other instances invalidate when the
 * message reaches them. Callers invoke the publisher after the change committed, so a fill that reads after this
 * point sees the new state, and one that read before is dropped by the cache's epoch.
 */
export class LocallyInvalidatingAccessEvents implements AccessChangePublisher {
  constructor(
    private readonly cache: AuthorizationCache,
    private readonly inner: AccessChangePublisher,
  ) {}

  canvasChanged(canvasId: string, userId: string | null = null): Promise<void> {
    this.cache.invalidate({ canvasId, userId })
    return this.inner.canvasChanged(canvasId, userId)
  }

  userChanged(userId: string): Promise<void> {
    this.cache.invalidate({ canvasId: null, userId })
    return this.inner.userChanged(userId)
  }
}
