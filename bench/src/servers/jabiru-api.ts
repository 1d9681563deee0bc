/** Jabiru's HTTP API as the bench needs it: a user, a project and canvases to connect to. */

const json = async (res: Response, what: string): Promise<Record<string, unknown>> => {
  const text = await res.text()
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${text.slice(0, 300)}`)
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch (err) {
    throw new Error(`${what}: response is not JSON (${String(err)}): ${text.slice(0, 200)}`)
  }
}

const stringField = (body: Record<string, unknown>, field: string, what: string): string => {
  const value = body[field]
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new Error(`${what}: response has no "${field}": ${JSON.stringify(body).slice(0, 200)}`)
  }
  return String(value)
}

export interface JabiruSession {
  readonly base: string
  readonly token: string
  readonly projectId: string
}

/** Signs up a fresh user (unique per run) and creates one project. */
export const openSession = async (base: string, runId: string): Promise<JabiruSession> => {
  const signup = await json(
    await fetch(`${base}/api/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `bench-${runId}@bench.invalid`,
        username: `bench${runId}`,
        password: 'bench-password-1',
        organization: `bench-${runId}`,
      }),
    }),
    'signup',
  )
  const token = stringField(signup, 'token', 'signup')
  const project = await json(
    await fetch(`${base}/api/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: `bench ${runId}` }),
    }),
    'create project',
  )
  return { base, token, projectId: stringField(project, 'id', 'create project') }
}

/** Creates `count` canvases (at most `concurrency` requests at once) and returns their ids in order. */
export const createCanvases = async (
  session: JabiruSession,
  names: readonly string[],
  concurrency = 8,
): Promise<string[]> => {
  const ids: string[] = new Array<string>(names.length)
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < names.length) {
      const i = next++
      const body = await json(
        await fetch(`${session.base}/api/projects/${session.projectId}/canvases`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
          body: JSON.stringify({ name: names[i] }),
        }),
        'create canvas',
      )
      ids[i] = stringField(body, 'id', 'create canvas')
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, lane))
  return ids
}
