import * as encoding from 'lib0/encoding'
import { MessageType, type ServerNotice, SyncMessageType } from '../../shared/protocol.ts'

/** Encoders for the frames the server sends. Encode once, send to many. */

function frame(type: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, type)
  write(encoder)
  return encoding.toUint8Array(encoder)
}

function syncFrame(syncType: number, payload: Uint8Array): Uint8Array {
  return frame(MessageType.Sync, (encoder) => {
    encoding.writeVarUint(encoder, syncType)
    encoding.writeVarUint8Array(encoder, payload)
  })
}

export const syncStep1Frame = (stateVector: Uint8Array) => syncFrame(SyncMessageType.Step1, stateVector)
export const syncStep2Frame = (update: Uint8Array) => syncFrame(SyncMessageType.Step2, update)
export const updateFrame = (update: Uint8Array) => syncFrame(SyncMessageType.Update, update)

export function awarenessFrame(payload: Uint8Array): Uint8Array {
  return frame(MessageType.Awareness, (encoder) => encoding.writeVarUint8Array(encoder, payload))
}

export function noticeFrame(notice: ServerNotice): Uint8Array {
  return frame(MessageType.Notice, (encoder) => encoding.writeVarString(encoder, JSON.stringify(notice)))
}
