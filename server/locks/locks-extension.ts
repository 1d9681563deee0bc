import type { Logger } from '../logger.ts'
import type { PresenceService } from '../presence/presence-service.ts'
import type { Connection } from '../rooms/connection.ts'
import { ACCEPT, type RoomExtension, type RoomView, type UpdateVerdict } from '../rooms/extensions.ts'
import type { DecodedUpdate } from '../rooms/inbound.ts'
import { noticeFrame } from '../rooms/outbound.ts'
import { type LockService, leaseView } from './lock-service.ts'
import { touchedBlocks } from './touched-blocks.ts'

/**
 * Server-enforced block locks: while a block is leased, updates from other users that change it are refused before
 * they are journaled (not applied, not relayed, not stored) and the sender gets an `update-rejected` notice naming
 * the blocks. Clients see leases live through `locks` notices. A user's leases are released when their last
 * connection to the canvas (on any instance) closes.
 */
export function locksExtension(locks: LockService, presence: PresenceService, log: Logger): RoomExtension {
  const rooms = new Map<string, RoomView>()

  const locksFrame = (canvasId: string) =>
    noticeFrame({ type: 'locks', locks: locks.cachedLeases(canvasId).map(leaseView) })

  locks.onChange((canvasId) => rooms.get(canvasId)?.broadcast(locksFrame(canvasId)))
  presence.onUserLeft((canvasId, userId) => {
    locks.releaseAllForUser(canvasId, userId).catch((error: unknown) => {
      log.warn(
        { err: error, canvasId, userId },
        'releasing locks of a departed user failed; they expire by TTL',
      )
    })
  })

  return {
    name: 'locks',
    async roomLoaded(room: RoomView) {
      await locks.track(room.canvasId)
      rooms.set(room.canvasId, room)
    },
    roomDestroyed(room: RoomView) {
      if (rooms.get(room.canvasId) === room) rooms.delete(room.canvasId)
      locks.untrack(room.canvasId)
    },
    connectionAdded(room: RoomView, connection: Connection) {
      // Only when there is something to tell: stock clients log every notice as an unknown message.
      if (locks.cachedLeases(room.canvasId).length > 0) connection.send(locksFrame(room.canvasId))
    },
    locksChanged(room: RoomView) {
      locks.refresh(room.canvasId).catch((error: unknown) => {
        log.warn({ err: error, canvasId: room.canvasId }, 'lock cache refresh failed')
      })
    },
    checkUpdate(
      room: RoomView,
      connection: Connection,
      _update: Uint8Array,
      decoded: DecodedUpdate,
    ): UpdateVerdict {
      const userId = connection.principal.userId
      const others = locks.cachedLeases(room.canvasId).filter((lease) => lease.userId !== userId)
      if (others.length === 0) return ACCEPT
      const touched = touchedBlocks(room.doc, decoded)
      const blocked = others.filter((lease) => touched.has(lease.blockId)).map((lease) => lease.blockId)
      return blocked.length === 0 ? ACCEPT : { kind: 'reject', reason: 'block-locked', blockIds: blocked }
    },
  }
}
