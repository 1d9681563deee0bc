import * as assert from 'uvu/assert'
import { WebSocket } from 'ws'
import { awarenessFrame } from './support/awareness.ts'
import { connect, type ServerSuiteContext, serverSuite } from './support/server-suite.ts'
import { waitFor } from './support/wait.ts'

const test = serverSuite(
  'presence: stamped identities, no spoofing, presence API (embedded server)',
  'presence',
)
type Context = ServerSuiteContext

function openRaw(context: Context): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${context.server.wsUrl}/${context.ws.canvasId}?token=${context.ws.token}`)
    socket.once('open', () => resolve(socket))
    socket.once('error', reject)
  })
}

test('the server stamps the authenticated user: a client cannot appear as someone else', async (context) => {
  const liar = await connect(context)
  const observer = await connect(context)
  liar.provider.awareness.setLocalStateField('user', { id: 'ceo', name: 'The CEO', color: '#f00' })
  const seen = await waitFor('stamped state', () => {
    const user = observer.provider.awareness.getStates().get(liar.doc.clientID)?.user as
      | { id: string; name: string; color: string }
      | undefined
    return user?.id === undefined ? undefined : user
  })
  assert.is(seen.id, context.ws.userId)
  assert.is.not(seen.name, 'The CEO')
  assert.is(seen.color, '#f00', 'other user fields (cursor colour) are kept')
})

test("a connection cannot change or remove another connection's awareness state", async (context) => {
  const victim = await connect(context)
  const observer = await connect(context)
  victim.provider.awareness.setLocalStateField('cursor', { x: 1, y: 1 })
  await waitFor('victim cursor', () =>
    observer.provider.awareness.getStates().get(victim.doc.clientID)?.cursor === undefined ? undefined : true,
  )
  const spoofer = await openRaw(context)
  const spooferId = 424242
  for (const state of [{ cursor: { x: 99, y: 99 }, user: { name: 'victim' } }, null]) {
    spoofer.send(awarenessFrame([{ clientId: victim.doc.clientID, clock: 1_000_000, state }]))
  }
  // A message of its own after the forgeries: once the observer sees it, the forgeries were processed before it.
  spoofer.send(awarenessFrame([{ clientId: spooferId, clock: 1, state: { cursor: { x: 7, y: 7 } } }]))
  await waitFor("spoofer's own state", () =>
    observer.provider.awareness.getStates().has(spooferId) ? true : undefined,
  )
  const victimState = observer.provider.awareness.getStates().get(victim.doc.clientID)
  assert.equal(victimState?.cursor, { x: 1, y: 1 }, 'the forged state was not applied')
  assert.is((victimState?.user as { id: string } | undefined)?.id, context.ws.userId)
  assert.is(
    (observer.provider.awareness.getStates().get(spooferId)?.user as { id: string } | undefined)?.id,
    context.ws.userId,
    "the spoofer's own state carries its real identity",
  )
  spoofer.close()
  // The victim's state is untouched for everyone, and it can still update it.
  victim.provider.awareness.setLocalStateField('cursor', { x: 2, y: 2 })
  await waitFor('victim update after the attempts', () => {
    const cursor = observer.provider.awareness.getStates().get(victim.doc.clientID)?.cursor as
      | { x: number }
      | undefined
    return cursor?.x === 2 ? true : undefined
  })
})

test('closing a connection removes its awareness state for everyone', async (context) => {
  const leaving = await connect(context)
  const observer = await connect(context)
  leaving.provider.awareness.setLocalStateField('cursor', { x: 5, y: 5 })
  const id = leaving.doc.clientID
  await waitFor('state visible', () => (observer.provider.awareness.getStates().has(id) ? true : undefined))
  leaving.provider.destroy()
  await waitFor('state removed', () => (observer.provider.awareness.getStates().has(id) ? undefined : true))
})

test('presence API lists the users on a canvas, with their cursor', async (context) => {
  const client = await connect(context)
  client.provider.awareness.setLocalStateField('cursor', { x: 3, y: 4 })
  const users = await waitFor('presence with cursor', async () => {
    const body = await context.ws.api.json<{
      users: Array<{ user_id: string; cursor: unknown; connections: number }>
    }>('GET', `/api/canvases/${context.ws.canvasId}/presence`)
    const me = body.users.find((user) => user.user_id === context.ws.userId)
    return me !== undefined && JSON.stringify(me.cursor) === '{"x":3,"y":4}' ? body.users : undefined
  })
  assert.is(users.length, 1)
  client.destroy()
  context.clients.length = 0
  await waitFor('presence empty after leaving', async () => {
    const body = await context.ws.api.json<{ users: unknown[] }>(
      'GET',
      `/api/canvases/${context.ws.canvasId}/presence`,
    )
    return body.users.length === 0 ? true : undefined
  })
})

test.run()
