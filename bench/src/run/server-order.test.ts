import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { serverOrder } from './server-order.ts'

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

test.run()
