import { suite, type Test } from 'uvu'
import { createWorkspace, type TestWorkspace } from './api.ts'
import { type CollabClient, connectSynced } from './clients.ts'
import { type ServerProcess, startServerProcess, tempDataDir } from './server-process.ts'

/** What every end-to-end suite on one embedded server process shares. */
export interface ServerSuiteContext {
  server: ServerProcess
  /** A signed-up user (org admin) with a project and a canvas. */
  ws: TestWorkspace
  /** Clients opened through `connect`, destroyed after each test. */
  clients: CollabClient[]
  removeDir: () => void
}

/**
 * A uvu suite with a real server process (fresh DATA_DIR, embedded storage) started before and killed after, a
 * workspace, and per-test cleanup of the clients opened with `connect`.
 */
export function serverSuite<Extra extends object = Record<never, never>>(
  name: string,
  workspaceName: string,
  setup: (context: ServerSuiteContext) => Promise<Extra> = async () => ({}) as Extra,
): Test<ServerSuiteContext & Extra> {
  const test = suite<ServerSuiteContext & Extra>(name)
  test.before(async (context) => {
    const data = tempDataDir()
    context.removeDir = data.remove
    context.clients = []
    context.server = await startServerProcess({ dataDir: data.dir })
    context.ws = await createWorkspace(context.server.httpUrl, workspaceName)
    Object.assign(context, await setup(context))
  })
  test.after.each((context) => {
    for (const client of context.clients.splice(0)) client.destroy()
  })
  test.after(async (context) => {
    await context.server.stop('SIGKILL')
    context.removeDir()
  })
  return test
}

/** Connects a stock client (as the workspace user unless a token is given) and tracks it for cleanup. */
export async function connect(
  context: ServerSuiteContext,
  options: { canvasId?: string; token?: string } = {},
): Promise<CollabClient> {
  const client = await connectSynced(
    context.server.wsUrl,
    options.canvasId ?? context.ws.canvasId,
    options.token ?? context.ws.token,
  )
  context.clients.push(client)
  return client
}

/** A new canvas in the workspace's project. */
export async function newCanvas(context: ServerSuiteContext, name = 'Canvas'): Promise<string> {
  const canvas = await context.ws.api.json<{ id: string }>(
    'POST',
    `/api/projects/${context.ws.projectId}/canvases`,
    { name },
    201,
  )
  return canvas.id
}
