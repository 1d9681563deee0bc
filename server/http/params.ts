import type { Context } from 'hono'
import { z } from 'zod'
import { notFound } from './errors.ts'
import { parseWith } from './validate.ts'

const Id = z.guid()

/**
 * A UUID path parameter. A malformed id gets the same 404 as an unknown one (and as another organization's id):
 * ids are opaque, and the answer must not tell which of the three it was.
 */
export function idParam(c: Context, name: string, what: string): string {
  const result = Id.safeParse(c.req.param(name))
  if (!result.success) throw notFound(what)
  return result.data
}

/** The query string through a schema; a 400 names the bad parameter. */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return parseWith(schema, c.req.query(), 'query')
}
