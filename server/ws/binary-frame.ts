/**
 * Server-to-client WebSocket binary messages as their bytes on the wire (RFC 6455 §5.2): FIN set, opcode 2
 * (binary), no mask (servers never mask), no extension bits (the server runs without permessage-deflate).
 */

/** Up to this size a message is copied behind its header into one chunk (one write); larger ones are not copied. */
const COPY_LIMIT = 16 * 1024

function frameHeader(length: number, into: Buffer): void {
  into[0] = 0x82
  if (length < 126) {
    into[1] = length
  } else if (length < 0x10000) {
    into[1] = 126
    into.writeUInt16BE(length, 2)
  } else {
    into[1] = 127
    // 64-bit length, most significant bit 0; a message is far below 2^53 bytes.
    into.writeUInt32BE(Math.floor(length / 0x100000000), 2)
    into.writeUInt32BE(length % 0x100000000, 6)
  }
}

const headerLength = (length: number): number => (length < 126 ? 2 : length < 0x10000 ? 4 : 10)

/** The chunks to write for one binary message: header and payload in one (small) or the payload itself after it. */
export function binaryFrame(payload: Uint8Array): readonly Uint8Array[] {
  const header = headerLength(payload.length)
  if (payload.length > COPY_LIMIT) {
    const head = Buffer.allocUnsafe(header)
    frameHeader(payload.length, head)
    return [head, payload]
  }
  // Small frames come from Buffer's shared pool: a slice, no allocation of its own.
  const frame = Buffer.allocUnsafe(header + payload.length)
  frameHeader(payload.length, frame)
  frame.set(payload, header)
  return [frame]
}

/**
 * One message for several connections, framed for the wire once, on first use. ws frames a message again for each
 * socket and writes header and payload as two writes; a broadcast to n clients here costs one framing and n writes.
 */
export class Broadcast {
  private framed: readonly Uint8Array[] | null = null

  constructor(readonly message: Uint8Array) {}

  get frame(): readonly Uint8Array[] {
    this.framed ??= binaryFrame(this.message)
    return this.framed
  }
}
