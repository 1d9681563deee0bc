/**
 * Frame codecs for the two wire formats under test:
 * - `yws`: the y-websocket protocol (varUint message type, then payload), spoken by Jabiru, the
 *   y-websocket reference server and the relay;
 * - `hocuspocus`: the same messages prefixed with the document name (varString), plus Hocuspocus'
 *   Auth (2) and SyncStatus (8) messages.
 */
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

export type Flavor = 'yws' | 'hocuspocus'

export const Msg = { Sync: 0, Awareness: 1, Auth: 2, QueryAwareness: 3, SyncReply: 4, SyncStatus: 8 } as const
export const SyncStep = { Step1: 0, Step2: 1, Update: 2 } as const
const AUTH_TOKEN = 0

const begin = (flavor: Flavor, docName: string, type: number): encoding.Encoder => {
  const enc = encoding.createEncoder()
  if (flavor === 'hocuspocus') encoding.writeVarString(enc, docName)
  encoding.writeVarUint(enc, type)
  return enc
}

export const encodeSync = (
  flavor: Flavor,
  docName: string,
  step: number,
  payload: Uint8Array,
): Uint8Array => {
  const enc = begin(flavor, docName, Msg.Sync)
  encoding.writeVarUint(enc, step)
  encoding.writeVarUint8Array(enc, payload)
  return encoding.toUint8Array(enc)
}

export const encodeAwareness = (flavor: Flavor, docName: string, update: Uint8Array): Uint8Array => {
  const enc = begin(flavor, docName, Msg.Awareness)
  encoding.writeVarUint8Array(enc, update)
  return encoding.toUint8Array(enc)
}

/** Hocuspocus only: the token message every connection must send first for each document. */
export const encodeHocuspocusAuth = (docName: string, token: string): Uint8Array => {
  const enc = begin('hocuspocus', docName, Msg.Auth)
  encoding.writeVarUint(enc, AUTH_TOKEN)
  encoding.writeVarString(enc, token)
  return encoding.toUint8Array(enc)
}

export interface FrameHead {
  /** Top-level message type. */
  readonly type: number
  /** Sync sub-type for Sync/SyncReply frames, else -1. */
  readonly step: number
  /** Offset of the payload after the headers. */
  readonly offset: number
}

/** Reads the frame headers only (document name, type, sync step); the payload is left in place. */
export const readHead = (flavor: Flavor, frame: Uint8Array): FrameHead => {
  const dec = decoding.createDecoder(frame)
  if (flavor === 'hocuspocus') decoding.readVarString(dec)
  const type = decoding.readVarUint(dec)
  const isSync = type === Msg.Sync || (flavor === 'hocuspocus' && type === Msg.SyncReply)
  const step = isSync ? decoding.readVarUint(dec) : -1
  return { type: isSync ? Msg.Sync : type, step, offset: dec.pos }
}

/** Reads the varUint8Array payload at `offset` (sync step 1 state vector, step 2 / update bytes). */
export const readPayload = (frame: Uint8Array, offset: number): Uint8Array => {
  const dec = decoding.createDecoder(frame)
  dec.pos = offset
  return decoding.readVarUint8Array(dec)
}
