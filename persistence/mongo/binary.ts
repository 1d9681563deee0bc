import { Binary } from 'mongodb'

/** Wraps bytes for storage; the driver serialises the Binary's content, so no copy is kept. */
export function toBinary(bytes: Uint8Array): Binary {
  return new Binary(bytes)
}

/**
 * A stored Binary as a plain Uint8Array view (never a Buffer, never the Binary's whole backing buffer, which can
 * be larger than its content).
 */
export function fromBinary(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Binary)) throw new TypeError(`${what} is not stored as BSON binary`)
  const view = value.value()
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
}
