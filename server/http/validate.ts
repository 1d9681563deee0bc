import type { Context } from 'hono'
import type { z } from 'zod'
import { badRequest } from './errors.ts'

/** Parses the JSON body with a schema; a 400 names the first bad field. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let body: unknown
  try {
    body = await c.req.json()
  } catch {
    throw badRequest('request body must be valid JSON')
  }
  return parseWith(schema, body, 'body')
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const field = issue === undefined || issue.path.length === 0 ? where : issue.path.join('.')
  throw badRequest(`${field}: ${issue?.message ?? 'invalid'}`, field)
}
