import type { BusMessage } from './ports.ts'

/**
 * The channel a bus message travels on (every adapter routes the same way): its canvas's channel for updates,
 * awareness and lock changes; the global channel (null) for access changes, with or without a canvas. Access
 * changes are rare, and every instance must hear all of them whether or not it has the canvas loaded: its
 * authorization cache and the revocation re-checks of connections that join a room depend on it.
 */
export function busChannelOf(message: BusMessage): string | null {
  return message.kind === 'access' ? null : message.canvasId
}
