import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import { MessageType, SyncMessageType } from '../../shared/protocol.ts'
import { type DecodedUpdate, readUpdateStructure } from './update-structure.ts'

/**
 * Decodes and validates one inbound WebSocket frame before anything touches the document. y-protocols' own
 * readers apply updates and log-and-swallow errors; we decode ourselves so a bad frame is refused as a whole.
 */
export type InboundMessage =
  | { readonly type: 'sync-step1'; readonly stateVector: Uint8Array }
  | { readonly type: 'sync-step2'; readonly update: Uint8Array; readonly decoded: DecodedUpdate }
  | { readonly type: 'update'; readonly update: Uint8Array; readonly decoded: DecodedUpdate }
  | { readonly type: 'awareness'; readonly payload: Uint8Array; readonly entries: readonly AwarenessEntry[] }
  | { readonly type: 'query-awareness' }

/**
 * An update's structure (update-structure.ts), read once when the frame is validated and shared by everything that
 * inspects the update before it is applied (redundancy check, lock guard): the bytes are read twice per update in
 * all (here, without building contents, and by `Y.applyUpdate`).
 */
export type { DecodedUpdate } from './update-structure.ts'

export interface AwarenessEntry {
  readonly clientId: number
  readonly clock: number
  /** Parsed JSON state; null means "this client left". */
  readonly state: unknown
}

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError'
}

export interface InboundLimits {
  /** Largest JSON of one awareness state, in UTF-16 code units. */
  readonly maxAwarenessStateChars: number
  /** Most client states one awareness message may carry. */
  readonly maxAwarenessEntries: number
}

export const DEFAULT_INBOUND_LIMITS: InboundLimits = Object.freeze({
  maxAwarenessStateChars: 16 * 1024,
  maxAwarenessEntries: 64,
})

function requireEnd(decoder: decoding.Decoder, what: string): void {
  if (decoding.hasContent(decoder)) throw new ProtocolError(`${what}: trailing bytes`)
}

/** True when the update carries nothing (y-websocket clients send such sync step 2 messages routinely). */
export function isEmptyUpdate(update: Uint8Array): boolean {
  // An empty v1 update is exactly: 0 struct groups, 0 delete-set clients.
  return update.length === 2 && update[0] === 0 && update[1] === 0
}

/** A state vector of no clients (a client holding nothing yet). */
export function isEmptyStateVector(stateVector: Uint8Array): boolean {
  return stateVector.length === 1 && stateVector[0] === 0
}

/**
 * Whether a raw frame is sync step 1 with an empty state vector (a client holding nothing yet, the first frame a
 * fresh y-websocket provider sends): Sync, Step1, a 1-byte payload, 0 clients.
 */
export function isEmptySyncStep1(frame: Uint8Array | undefined): boolean {
  return (
    frame !== undefined &&
    frame.length === 4 &&
    frame[0] === MessageType.Sync &&
    frame[1] === SyncMessageType.Step1 &&
    frame[2] === 1 &&
    frame[3] === 0
  )
}

function decodeUpdate(update: Uint8Array, what: string): DecodedUpdate {
  try {
    // Reads every struct, content and the delete set with the readers applyUpdate uses (contents checked, not built).
    return readUpdateStructure(update)
  } catch (error) {
    throw new ProtocolError(
      `${what}: invalid Yjs update (${error instanceof Error ? error.message : String(error)})`,
    )
  }
}

function decodeAwareness(payload: Uint8Array, limits: InboundLimits): AwarenessEntry[] {
  const decoder = decoding.createDecoder(payload)
  const count = decoding.readVarUint(decoder)
  if (count > limits.maxAwarenessEntries) throw new ProtocolError(`awareness: ${count} states in one message`)
  const entries: AwarenessEntry[] = []
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    const json = decoding.readVarString(decoder)
    if (json.length > limits.maxAwarenessStateChars) throw new ProtocolError('awareness: state too large')
    let state: unknown
    try {
      state = JSON.parse(json)
    } catch {
      throw new ProtocolError('awareness: state is not JSON')
    }
    if (state !== null && (typeof state !== 'object' || Array.isArray(state))) {
      throw new ProtocolError('awareness: state must be an object or null')
    }
    entries.push({ clientId, clock, state })
  }
  requireEnd(decoder, 'awareness')
  return entries
}

/** The inverse of the awareness decoding above (y-protocols' awareness update format). */
export function encodeAwarenessEntries(entries: readonly AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, entries.length)
  for (const entry of entries) {
    encoding.writeVarUint(encoder, entry.clientId)
    encoding.writeVarUint(encoder, entry.clock)
    encoding.writeVarString(encoder, JSON.stringify(entry.state))
  }
  return encoding.toUint8Array(encoder)
}

export function decodeInbound(
  data: Uint8Array,
  limits: InboundLimits = DEFAULT_INBOUND_LIMITS,
): InboundMessage {
  const decoder = decoding.createDecoder(data)
  try {
    const type = decoding.readVarUint(decoder)
    switch (type) {
      case MessageType.Sync: {
        const syncType = decoding.readVarUint(decoder)
        const payload = decoding.readVarUint8Array(decoder)
        requireEnd(decoder, 'sync')
        switch (syncType) {
          case SyncMessageType.Step1:
            try {
              Y.decodeStateVector(payload)
            } catch {
              throw new ProtocolError('sync step 1: invalid state vector')
            }
            return { type: 'sync-step1', stateVector: payload }
          case SyncMessageType.Step2:
            return { type: 'sync-step2', update: payload, decoded: decodeUpdate(payload, 'sync step 2') }
          case SyncMessageType.Update:
            return { type: 'update', update: payload, decoded: decodeUpdate(payload, 'update') }
          default:
            throw new ProtocolError(`unknown sync message type ${syncType}`)
        }
      }
      case MessageType.Awareness: {
        const payload = decoding.readVarUint8Array(decoder)
        requireEnd(decoder, 'awareness')
        return { type: 'awareness', payload, entries: decodeAwareness(payload, limits) }
      }
      case MessageType.QueryAwareness:
        requireEnd(decoder, 'query awareness')
        return { type: 'query-awareness' }
      default:
        throw new ProtocolError(`unknown message type ${type}`)
    }
  } catch (error) {
    if (error instanceof ProtocolError) throw error
    // lib0 throws plain Errors ("Unexpected end of array", ...) on truncated input.
    throw new ProtocolError(`malformed message: ${error instanceof Error ? error.message : String(error)}`)
  }
}
