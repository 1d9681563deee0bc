import type { Logger } from '../logger.ts'
import type { Connection } from '../rooms/connection.ts'
import type { RoomExtension, RoomView } from '../rooms/extensions.ts'
import type { PresenceService } from './presence-service.ts'

/** The awareness field the server owns: whatever a client puts there is replaced by its authenticated identity. */
export const AWARENESS_USER_FIELD = 'user'

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Presence: stamps the authenticated user into every awareness state a connection publishes (`user.id`,
 * `user.name`; other `user` fields such as `color` are kept), so nobody can appear as someone else, and mirrors
 * presence (cursor, selection) into the PresenceService.
 */
export function presenceExtension(presence: PresenceService, log: Logger): RoomExtension {
  return {
    name: 'presence',
    connectionAdded(room: RoomView, connection: Connection) {
      presence.connectionSeen(room.canvasId, connection, {})
    },
    awarenessState(room: RoomView, connection: Connection, state: Record<string, unknown>) {
      const claimed = state[AWARENESS_USER_FIELD]
      const stamped = {
        ...state,
        [AWARENESS_USER_FIELD]: {
          ...(isRecord(claimed) ? claimed : {}),
          id: connection.principal.userId,
          name: connection.principal.displayName,
        },
      }
      presence.connectionSeen(room.canvasId, connection, { cursor: state.cursor, selection: state.selection })
      return stamped
    },
    connectionRemoved(room: RoomView, connection: Connection) {
      presence.connectionGone(room.canvasId, connection).catch((error: unknown) => {
        log.warn({ err: error, canvasId: room.canvasId }, 'presence removal failed; the entry expires by TTL')
      })
    },
  }
}
