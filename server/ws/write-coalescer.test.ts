import { Writable } from 'node:stream'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SocketHold, WriteCoalescer } from './write-coalescer.ts'

/** A socket stand-in with real Writable cork semantics that records each write call and what it carried. */
function recordingStream(): { stream: Writable; calls: string[][] } {
  const calls: string[][] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      calls.push([chunk.toString()])
      callback()
    },
    writev(chunks, callback) {
      calls.push(chunks.map(({ chunk }) => String(chunk)))
      callback()
    },
  })
  return { stream, calls }
}

const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

test('frames sent by the continuations of one group commit leave in one write', async () => {
  const coalescer = new WriteCoalescer()
  const { stream, calls } = recordingStream()
  const hold = new SocketHold(stream)
  const send = (frame: string): void => {
    coalescer.hold(hold)
    stream.write(frame)
  }
  // A group commit resolves one promise per update; each continuation broadcasts, some after further hops.
  const committed = Promise.resolve()
  void committed.then(() => send('a'))
  void committed.then(() => send('b'))
  void committed.then(() => undefined).then(() => send('c'))
  await committed
  assert.equal(calls, [], 'nothing is written while the continuations run')
  await nextMacrotask()
  assert.equal(calls, [['a', 'b', 'c']])
  assert.is(stream.writableCorked, 0, 'held once however many frames, uncorked once')
})

test('frames sent by plain synchronous code leave as soon as that code returns', async () => {
  const coalescer = new WriteCoalescer()
  const { stream, calls } = recordingStream()
  const hold = new SocketHold(stream)
  await new Promise<void>((resolve) =>
    setImmediate(() => {
      coalescer.hold(hold)
      stream.write('1')
      coalescer.hold(hold)
      stream.write('2')
      process.nextTick(() => {
        assert.equal(calls, [['1', '2']], 'flushed before anything queued after it')
        resolve()
      })
    }),
  )
})

test('each socket is flushed, and a later tick starts a new write', async () => {
  const coalescer = new WriteCoalescer()
  const one = recordingStream()
  const two = recordingStream()
  const holdOne = new SocketHold(one.stream)
  const holdTwo = new SocketHold(two.stream)
  for (const frame of ['1', '2']) {
    for (const [hold, stream] of [
      [holdOne, one.stream],
      [holdTwo, two.stream],
    ] as const) {
      coalescer.hold(hold)
      stream.write(frame)
    }
  }
  await nextMacrotask()
  assert.is(holdOne.held, false, 'released by the flush')
  coalescer.hold(holdOne)
  one.stream.write('3')
  await nextMacrotask()
  assert.equal(one.calls, [['1', '2'], ['3']])
  assert.equal(two.calls, [['1', '2']])
  assert.is(one.stream.writableCorked, 0)
  assert.is(two.stream.writableCorked, 0)
})

test('a socket corked by its writer around each frame (as ws does) still waits for the flush', async () => {
  const coalescer = new WriteCoalescer()
  const { stream, calls } = recordingStream()
  const hold = new SocketHold(stream)
  for (const frame of ['x', 'y']) {
    coalescer.hold(hold)
    stream.cork()
    stream.write(`${frame}-header`)
    stream.write(`${frame}-payload`)
    stream.uncork()
  }
  assert.equal(calls, [])
  await nextMacrotask()
  assert.equal(calls, [['x-header', 'x-payload', 'y-header', 'y-payload']])
})

test('ending a held socket writes what it holds', async () => {
  const coalescer = new WriteCoalescer()
  const { stream, calls } = recordingStream()
  coalescer.hold(new SocketHold(stream))
  stream.write('last')
  stream.end()
  await nextMacrotask()
  assert.equal(calls, [['last']])
  assert.ok(stream.writableFinished)
})

test.run()
