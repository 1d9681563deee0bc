import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { pageOf } from './page.ts'

test('the extra row means another page; it is never returned', () => {
  const full = pageOf(
    [1, 2, 3],
    2,
    (n) => n * 10,
    (last) => last,
  )
  assert.equal(full, { items: [10, 20], next: 20 })
  assert.equal(
    pageOf(
      [1, 2],
      2,
      (n) => n,
      (last) => last,
    ),
    { items: [1, 2], next: null },
  )
  assert.equal(
    pageOf(
      [],
      2,
      (n: number) => n,
      (last) => last,
    ),
    { items: [], next: null },
  )
})

test.run()
