import type { BusListener, Subscription } from './ports.ts'

/*
 * Pieces every bus adapter's subscribe() shares. A bus holds a subscription per loaded canvas, so the functions
 * here are made where nothing names them (a return value, an argument): under tsx (esbuild's keepNames) a function
 * written as `const entry = () => ...` or `{ unsubscribe: async () => ... }` is named with Object.defineProperty,
 * which gives it a property table of ~256 bytes for as long as it lives (README, "Per-instance callbacks").
 */

/** A listener of its own for `listener`: the same function subscribed twice is two subscriptions, each removable. */
export function distinctListener(listener: BusListener): BusListener {
  return (message) => listener(message)
}

export function subscriptionOf(unsubscribe: () => Promise<void>): Subscription {
  return { unsubscribe }
}
