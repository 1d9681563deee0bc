import type { BusMessage } from '../ports.ts'

/**
 * Binary frame for bus messages, so Yjs updates cross Redis byte-exact without base64 overhead:
 *
 *   u8 version | u8 kind | str origin | kind-specific fields | payload (update/awareness: the rest of the frame)
 *   update:    str canvasId | f64 seq | optStr authorId        access: optStr canvasId | optStr userId
 *   awareness: str canvasId                  locks:  str canvasId
 *
 * str = u16 BE byte length + UTF-8; optStr = u8 0 (null) or 1 followed by a str. Decoding validates every field
 * and returns an error instead of throwing: anything can be published on a Redis channel.
 */

/** 2: update frames carry the author. A frame of another version is dropped (receivers repair from the journal). */
const FRAME_VERSION = 2
const KIND_UPDATE = 1
const KIND_AWARENESS = 2
const KIND_ACCESS = 3
const KIND_LOCKS = 4
const MAX_STRING_BYTES = 0xffff
const U8_BYTES = 1
const U16_BYTES = 2
const F64_BYTES = 8
const ABSENT = 0
const PRESENT = 1

const utf8 = new TextEncoder()
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

export type DecodeResult =
  | { readonly ok: true; readonly message: BusMessage }
  | { readonly ok: false; readonly reason: string }

class FrameWriter {
  private readonly parts: Uint8Array[] = []
  private size = 0

  u8(value: number): void {
    this.push(Uint8Array.of(value))
  }

  f64(value: number): void {
    const bytes = new Uint8Array(F64_BYTES)
    new DataView(bytes.buffer).setFloat64(0, value)
    this.push(bytes)
  }

  str(field: string, value: string): void {
    const bytes = utf8.encode(value)
    if (bytes.length > MAX_STRING_BYTES)
      throw new RangeError(`bus message ${field} is too long (${bytes.length} bytes)`)
    const length = new Uint8Array(U16_BYTES)
    new DataView(length.buffer).setUint16(0, bytes.length)
    this.push(length)
    this.push(bytes)
  }

  optStr(field: string, value: string | null): void {
    if (value === null) {
      this.u8(ABSENT)
    } else {
      this.u8(PRESENT)
      this.str(field, value)
    }
  }

  push(bytes: Uint8Array): void {
    this.parts.push(bytes)
    this.size += bytes.length
  }

  finish(): Buffer {
    return Buffer.concat(this.parts, this.size)
  }
}

/** Encodes a message; throws RangeError only for messages that are invalid on the sending side. */
export function encodeBusMessage(message: BusMessage): Buffer {
  const writer = new FrameWriter()
  writer.u8(FRAME_VERSION)
  switch (message.kind) {
    case 'update':
      if (!Number.isSafeInteger(message.seq) || message.seq < 0) {
        throw new RangeError(`bus update seq must be a non-negative safe integer, got ${String(message.seq)}`)
      }
      writer.u8(KIND_UPDATE)
      writer.str('origin', message.origin)
      writer.str('canvasId', message.canvasId)
      writer.f64(message.seq)
      writer.optStr('authorId', message.authorId ?? null)
      writer.push(message.update)
      break
    case 'awareness':
      writer.u8(KIND_AWARENESS)
      writer.str('origin', message.origin)
      writer.str('canvasId', message.canvasId)
      writer.push(message.payload)
      break
    case 'locks':
      writer.u8(KIND_LOCKS)
      writer.str('origin', message.origin)
      writer.str('canvasId', message.canvasId)
      break
    case 'access':
      writer.u8(KIND_ACCESS)
      writer.str('origin', message.origin)
      writer.optStr('canvasId', message.canvasId)
      writer.optStr('userId', message.userId)
      break
    default: {
      const never: never = message
      throw new RangeError(`unknown bus message kind in ${JSON.stringify(never)}`)
    }
  }
  return writer.finish()
}

/** Thrown only inside this module and always turned into a `{ ok: false }` result by decodeBusMessage. */
class MalformedFrame extends Error {}

class FrameReader {
  private offset = 0
  private readonly view: DataView

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  private take(length: number, field: string): number {
    const start = this.offset
    if (start + length > this.bytes.length) throw new MalformedFrame(`truncated frame reading ${field}`)
    this.offset += length
    return start
  }

  u8(field: string): number {
    return this.view.getUint8(this.take(U8_BYTES, field))
  }

  f64(field: string): number {
    return this.view.getFloat64(this.take(F64_BYTES, field))
  }

  str(field: string): string {
    const length = this.view.getUint16(this.take(U16_BYTES, field))
    const start = this.take(length, field)
    try {
      return strictUtf8.decode(this.bytes.subarray(start, start + length))
    } catch (error) {
      throw new MalformedFrame(`${field} is not valid UTF-8`, { cause: error })
    }
  }

  optStr(field: string): string | null {
    const flag = this.u8(field)
    if (flag === ABSENT) return null
    if (flag === PRESENT) return this.str(field)
    throw new MalformedFrame(`bad presence flag ${flag} for ${field}`)
  }

  /** The remaining bytes, copied into a plain Uint8Array that does not pin the received buffer. */
  rest(): Uint8Array {
    const rest = new Uint8Array(this.bytes.subarray(this.offset))
    this.offset = this.bytes.length
    return rest
  }

  end(): void {
    if (this.offset !== this.bytes.length)
      throw new MalformedFrame(`${this.bytes.length - this.offset} trailing bytes`)
  }
}

export function decodeBusMessage(frame: Uint8Array): DecodeResult {
  try {
    return { ok: true, message: readMessage(new FrameReader(frame)) }
  } catch (error) {
    if (error instanceof MalformedFrame) return { ok: false, reason: error.message }
    throw error
  }
}

function readMessage(reader: FrameReader): BusMessage {
  const version = reader.u8('version')
  if (version !== FRAME_VERSION) throw new MalformedFrame(`unsupported frame version ${version}`)
  const kind = reader.u8('kind')
  const origin = reader.str('origin')
  switch (kind) {
    case KIND_UPDATE: {
      const canvasId = reader.str('canvasId')
      const seq = reader.f64('seq')
      if (!Number.isSafeInteger(seq) || seq < 0) throw new MalformedFrame(`bad seq ${seq}`)
      const authorId = reader.optStr('authorId')
      const update = reader.rest()
      // An absent author stays absent, so a decoded message equals the one that was encoded.
      return authorId === null
        ? { kind: 'update', canvasId, origin, seq, update }
        : { kind: 'update', canvasId, origin, seq, update, authorId }
    }
    case KIND_AWARENESS: {
      const canvasId = reader.str('canvasId')
      return { kind: 'awareness', canvasId, origin, payload: reader.rest() }
    }
    case KIND_LOCKS: {
      const canvasId = reader.str('canvasId')
      reader.end()
      return { kind: 'locks', canvasId, origin }
    }
    case KIND_ACCESS: {
      const canvasId = reader.optStr('canvasId')
      const userId = reader.optStr('userId')
      reader.end()
      return { kind: 'access', canvasId, userId, origin }
    }
    default:
      throw new MalformedFrame(`unknown kind ${kind}`)
  }
}
