import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { JABIRU, JABIRU_TWIN, REFERENCE, type ServerSpec } from '../servers/catalog.ts'
import { serverOrder, serversToMeasure } from './server-order.ts'

test('servers are measured as listed in odd runs and in reverse in even ones', () => {
  const servers = ['jabiru', 'hocuspocus', 'reference', 'relay']
  assert.equal(serverOrder(servers, 1), ['jabiru', 'hocuspocus', 'reference', 'relay'])
  assert.equal(serverOrder(servers, 2), ['relay', 'reference', 'hocuspocus', 'jabiru'])
  assert.equal(serverOrder(servers, 3), servers)
  assert.equal(servers, ['jabiru', 'hocuspocus', 'reference', 'relay'], 'the listed order is left as it was')
})

test('over two runs each server of every pair goes first once', () => {
  const servers = ['a', 'b', 'c', 'd', 'e']
  for (const x of servers) {
    for (const y of servers) {
      if (x === y) continue
      const first = [1, 2].filter((run) => {
        const order = serverOrder(servers, run)
        return order.indexOf(x) < order.indexOf(y)
      })
      assert.is(first.length, 1, `${x} before ${y}`)
    }
  }
})

const servers: readonly ServerSpec[] = [JABIRU, REFERENCE, JABIRU_TWIN]

test('without --servers every server but the opt-in A/A twin is measured', () => {
  assert.equal(
    serversToMeasure(servers).map((s) => s.name),
    [JABIRU.name, REFERENCE.name],
  )
})

test('--servers measures exactly the servers it names, the opt-in twin included', () => {
  const named = new Set([JABIRU.name, JABIRU_TWIN.name])
  assert.equal(
    serversToMeasure(servers, (s) => named.has(s.name)).map((s) => s.name),
    [JABIRU.name, JABIRU_TWIN.name],
  )
})

test.run()
