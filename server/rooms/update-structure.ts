import { isUtf8 } from 'node:buffer'
import * as binary from 'lib0/binary'
import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'

/**
 * What the server reads of a client's update before it journals it: every struct's place (id, length, origins,
 * parent) and the delete set, read from the bytes as `Y.decodeUpdate` reads them (Yjs update format v1), with one
 * difference: item contents are checked, not built.
 *
 * Why not `Y.decodeUpdate`: it builds every content (each value and string of a map entry, each subdocument) only for
 * the server to drop them a moment later, and then `Y.applyUpdate` builds them all again. In the bench's S4 window
 * (4,000 updates/s) they were about a twelfth of the update path's allocation, and enough of them outlived a
 * scavenge to lengthen its pause: with this reader (and sparser journal marks) a scavenge copied 0.92 MB, not 1.03.
 *
 * Invariant: an update is refused here exactly when `Y.decodeUpdate` would throw on it (same lib0 readers, same
 * order of reads, same content checks: UTF-8 strings, JSON, value tags, type refs, subdocument options), plus one
 * stricter rule: values nested deeper than MAX_VALUE_DEPTH, which lib0's recursive reader could overflow the stack
 * on when the update is applied. update-structure.test.ts checks the equivalence against Yjs on real updates of
 * every content kind and on thousands of corrupted ones.
 */

/** An item: inserted content, its neighbours at insertion time and where it lives. */
export interface DecodedItem {
  readonly kind: 'item'
  readonly id: Y.ID
  /** Clock units the item covers (characters of a string in UTF-16 code units, values of a map entry, or 1). */
  readonly length: number
  readonly origin: Y.ID | null
  readonly rightOrigin: Y.ID | null
  /** A root type's name, the id of the item holding the parent type, or null: the parent of its origins. */
  readonly parent: string | Y.ID | null
  /** The map key, for an item of a map-like parent that names its parent. */
  readonly parentSub: string | null
}

/** A garbage-collected range (`gc`) or a gap in a merged update (`skip`). */
export interface DecodedRange {
  readonly kind: 'gc' | 'skip'
  readonly id: Y.ID
  readonly length: number
}

export type DecodedStruct = DecodedItem | DecodedRange

export interface DeleteRange {
  readonly clock: number
  readonly len: number
}

export interface DecodedUpdate {
  readonly structs: readonly DecodedStruct[]
  /** Deleted ranges by client, in the update's order (a client listed twice has its ranges in one list). */
  readonly deletes: ReadonlyMap<number, readonly DeleteRange[]>
}

/** Deepest nesting of arrays and objects in one value that is accepted. */
export const MAX_VALUE_DEPTH = 1000

/** `info` of a Skip struct; other infos with content-ref bits set are items, the rest GC ranges. */
const SKIP_INFO = 10

/** Content refs (the low five bits of an item's `info`), as Yjs numbers them. */
const ContentRef = {
  Deleted: 1,
  Json: 2,
  Binary: 3,
  String: 4,
  Embed: 5,
  Format: 6,
  Type: 7,
  Any: 8,
  Doc: 9,
} as const

/** Type refs of a ContentType: 0..6 exist; XmlElement and XmlHook are followed by their node name. */
const TYPE_REF_XML_ELEMENT = 3
const TYPE_REF_XML_HOOK = 5
const TYPE_REF_COUNT = 7

/** lib0's value tags (`writeAny`). */
const ValueTag = {
  Undefined: 127,
  Null: 126,
  Integer: 125,
  Float32: 124,
  Float64: 123,
  BigInt: 122,
  False: 121,
  True: 120,
  String: 119,
  Object: 118,
  Array: 117,
  Bytes: 116,
} as const

/** Throws what Yjs's readers throw on bad input; decodeInbound turns any error into a ProtocolError. */
export function readUpdateStructure(update: Uint8Array): DecodedUpdate {
  const decoder = decoding.createDecoder(update)
  const structs: DecodedStruct[] = []
  const groups = decoding.readVarUint(decoder)
  for (let group = 0; group < groups; group++) {
    const count = decoding.readVarUint(decoder)
    const client = decoding.readVarUint(decoder)
    let clock = decoding.readVarUint(decoder)
    for (let i = 0; i < count; i++) {
      const struct = readStruct(decoder, client, clock)
      structs.push(struct)
      clock += struct.length
    }
  }
  return { structs, deletes: readDeletes(decoder) }
}

function readStruct(decoder: decoding.Decoder, client: number, clock: number): DecodedStruct {
  // Past the end readUint8 yields undefined, which (as in Yjs) takes the GC branch, whose length read then throws.
  const info = decoding.readUint8(decoder)
  if (info === SKIP_INFO) {
    return { kind: 'skip', id: Y.createID(client, clock), length: decoding.readVarUint(decoder) }
  }
  if ((info & binary.BITS5) === 0) {
    return { kind: 'gc', id: Y.createID(client, clock), length: decoding.readVarUint(decoder) }
  }
  // Reads in Yjs's order (the argument order of its Item constructor call).
  const namesParent = (info & (binary.BIT7 | binary.BIT8)) === 0
  const origin = (info & binary.BIT8) === binary.BIT8 ? readId(decoder) : null
  const rightOrigin = (info & binary.BIT7) === binary.BIT7 ? readId(decoder) : null
  const parent = namesParent
    ? decoding.readVarUint(decoder) === 1
      ? decoding.readVarString(decoder)
      : readId(decoder)
    : null
  const parentSub =
    namesParent && (info & binary.BIT6) === binary.BIT6 ? decoding.readVarString(decoder) : null
  const length = checkContent(decoder, info & binary.BITS5)
  return { kind: 'item', id: Y.createID(client, clock), length, origin, rightOrigin, parent, parentSub }
}

function readId(decoder: decoding.Decoder): Y.ID {
  const client = decoding.readVarUint(decoder)
  return Y.createID(client, decoding.readVarUint(decoder))
}

/** Reads past one item's content, checking it as Yjs's content readers would; returns the item's length. */
function checkContent(decoder: decoding.Decoder, ref: number): number {
  switch (ref) {
    case ContentRef.Deleted:
      return decoding.readVarUint(decoder)
    case ContentRef.Json: {
      const count = decoding.readVarUint(decoder)
      for (let i = 0; i < count; i++) {
        const json = decoding.readVarString(decoder)
        if (json !== 'undefined') JSON.parse(json)
      }
      return count
    }
    case ContentRef.Binary:
      decoding.readVarUint8Array(decoder)
      return 1
    case ContentRef.String:
      return checkedStringLength(decoder)
    case ContentRef.Embed:
      JSON.parse(decoding.readVarString(decoder))
      return 1
    case ContentRef.Format:
      checkString(decoder)
      JSON.parse(decoding.readVarString(decoder))
      return 1
    case ContentRef.Type: {
      const typeRef = decoding.readVarUint(decoder)
      if (!(typeRef < TYPE_REF_COUNT)) throw new Error(`unknown type ref ${typeRef}`)
      if (typeRef === TYPE_REF_XML_ELEMENT || typeRef === TYPE_REF_XML_HOOK) checkString(decoder)
      return 1
    }
    case ContentRef.Any: {
      const count = decoding.readVarUint(decoder)
      for (let i = 0; i < count; i++) checkValue(decoder, 0)
      return count
    }
    case ContentRef.Doc: {
      checkString(decoder)
      // Yjs reads `shouldLoad` of the options when it builds the subdocument: null and undefined throw there.
      const options: unknown = decoding.readAny(decoder)
      if (options === null || options === undefined) throw new Error('subdocument options are missing')
      return 1
    }
    default:
      throw new Error(`unknown content ref ${ref}`)
  }
}

/** Reads past a length-prefixed UTF-8 string, checked as lib0's fatal TextDecoder checks it; returns its bytes. */
function checkString(decoder: decoding.Decoder): Uint8Array {
  const bytes = decoding.readVarUint8Array(decoder)
  if (!isUtf8(bytes)) throw new Error('string is not valid UTF-8')
  return bytes
}

/**
 * A string item's clock length, without building the string: its length in UTF-16 code units, one per character
 * and two for a character outside the Basic Multilingual Plane (its 4-byte encoding). Only ContentString needs it;
 * keys, names and values are only checked.
 */
function checkedStringLength(decoder: decoding.Decoder): number {
  const bytes = checkString(decoder)
  let units = 0
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0
    if ((byte & 0xc0) !== 0x80) units += byte >= 0xf0 ? 2 : 1
  }
  return units
}

/** Reads past one lib0 value (`readAny`), with its checks, without building it. */
function checkValue(decoder: decoding.Decoder, depth: number): void {
  const tag = decoding.readUint8(decoder)
  switch (tag) {
    case ValueTag.Undefined:
    case ValueTag.Null:
    case ValueTag.False:
    case ValueTag.True:
      return
    case ValueTag.Integer:
      decoding.readVarInt(decoder)
      return
    case ValueTag.Float32:
      decoding.readFloat32(decoder)
      return
    case ValueTag.Float64:
      decoding.readFloat64(decoder)
      return
    case ValueTag.BigInt:
      decoding.readBigInt64(decoder)
      return
    case ValueTag.String:
      checkString(decoder)
      return
    case ValueTag.Object: {
      if (depth >= MAX_VALUE_DEPTH) throw new Error(`value nested deeper than ${MAX_VALUE_DEPTH}`)
      const entries = decoding.readVarUint(decoder)
      for (let i = 0; i < entries; i++) {
        checkString(decoder)
        checkValue(decoder, depth + 1)
      }
      return
    }
    case ValueTag.Array: {
      if (depth >= MAX_VALUE_DEPTH) throw new Error(`value nested deeper than ${MAX_VALUE_DEPTH}`)
      const length = decoding.readVarUint(decoder)
      for (let i = 0; i < length; i++) checkValue(decoder, depth + 1)
      return
    }
    case ValueTag.Bytes:
      decoding.readVarUint8Array(decoder)
      return
    default:
      throw new Error(`unknown value tag ${tag}`)
  }
}

function readDeletes(decoder: decoding.Decoder): Map<number, DeleteRange[]> {
  const deletes = new Map<number, DeleteRange[]>()
  const clients = decoding.readVarUint(decoder)
  for (let i = 0; i < clients; i++) {
    const client = decoding.readVarUint(decoder)
    const count = decoding.readVarUint(decoder)
    if (count === 0) continue
    let ranges = deletes.get(client)
    if (ranges === undefined) {
      ranges = []
      deletes.set(client, ranges)
    }
    for (let j = 0; j < count; j++) {
      const clock = decoding.readVarUint(decoder)
      ranges.push({ clock, len: decoding.readVarUint(decoder) })
    }
  }
  return deletes
}
