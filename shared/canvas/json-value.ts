import * as Y from 'yjs'

export type JsonPrimitive = string | number | boolean | null
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue }
export type JsonObject = { [key: string]: JsonValue }

/**
 * Deepest nesting accepted from callers and read from documents. Bounds recursion so a hostile, deeply nested value
 * cannot overflow the stack of a reader; deeper parts are dropped when reading.
 */
export const MAX_JSON_DEPTH = 64

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * True for values that survive a JSON round trip unchanged (finite numbers, plain objects, arrays, ...) and that
 * readers return whole: no `__proto__` key, at most MAX_JSON_DEPTH levels.
 */
export function isJsonValue(value: unknown, depth = 0): value is JsonValue {
  // Nesting is checked on the way down, so a cyclic object fails at MAX_JSON_DEPTH instead of looping.
  if (depth > MAX_JSON_DEPTH) return false
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1))
  if (isPlainObject(value)) {
    return Object.entries(value).every(([key, item]) => key !== UNSAFE_KEY && isJsonValue(item, depth + 1))
  }
  return false
}

/**
 * `__proto__` is the one key a plain object cannot hold safely: assigning it replaces the prototype, and a consumer
 * that copies JSON with Object.assign or for...in would do just that. Readers drop it and writers refuse it.
 */
export const UNSAFE_KEY = '__proto__'

/** Sets `key` on an object built by a reader, dropping the unsafe key. */
export function setEntry<T>(target: Record<string, T>, key: string, value: T): void {
  if (key !== UNSAFE_KEY) target[key] = value
}

/**
 * Reads an untrusted value (a Yjs type or anything a client stored in a map) as JSON. Never throws. Object keys come
 * out sorted so that two replicas whose maps received the same entries in a different order read equal JSON.
 * Returns undefined for what JSON cannot hold (binary, subdocuments, unknown Yjs types, too deep): object entries
 * with such values are dropped and array items become null, as JSON.stringify does.
 */
export function toJsonValue(value: unknown, depth = 0): JsonValue | undefined {
  if (depth > MAX_JSON_DEPTH) return undefined
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  // Y.XmlText extends Y.Text, so rich text of either kind reads as its plain string.
  if (value instanceof Y.Text) return value.toString()
  if (value instanceof Y.Map) return objectFromEntries(value.entries(), depth)
  if (value instanceof Y.Array) return arrayFrom(value.toArray(), depth)
  if (Array.isArray(value)) return arrayFrom(value, depth)
  if (isPlainObject(value)) return objectFromEntries(Object.entries(value), depth)
  return undefined
}

function arrayFrom(items: readonly unknown[], depth: number): JsonValue[] {
  return items.map((item) => toJsonValue(item, depth + 1) ?? null)
}

function objectFromEntries(entries: Iterable<[string, unknown]>, depth: number): JsonObject {
  const sorted = [...entries].sort(([a], [b]) => compareStrings(a, b))
  const out: JsonObject = {}
  for (const [key, item] of sorted) {
    const json = toJsonValue(item, depth + 1)
    if (json !== undefined) setEntry(out, key, json)
  }
  return out
}

/** Locale-independent string order (UTF-16 code units), so every replica and server sorts the same way. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0
  return a < b ? -1 : 1
}

/** Structural equality of two JSON values; object key order does not matter. */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true
  if (a === undefined || b === undefined || a === null || b === null) return false
  if (typeof a !== 'object' || typeof b !== 'object') return false
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((item, i) => jsonEqual(item, b[i]))
  }
  const keysA = Object.keys(a)
  if (keysA.length !== Object.keys(b).length) return false
  return keysA.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]))
}
