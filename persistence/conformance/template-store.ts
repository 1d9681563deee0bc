import { randomUUID } from 'node:crypto'
import * as assert from 'uvu/assert'
import type { NewTemplate, PageCursor, Template, TemplateStore } from '../ports.ts'
import { assertRejects, type DisposableHarness, harnessSuite, type TestClock } from './history-harness.ts'

export interface TemplateStoreHarness extends DisposableHarness {
  readonly store: TemplateStore
  /** The clock the store stamps created_at with. */
  readonly clock: TestClock
}

function template(organizationId: string | null, overrides: Partial<NewTemplate> = {}): NewTemplate {
  return {
    organizationId,
    name: 'Sales Dashboard Template',
    description: 'Standard template for sales analysis',
    category: 'sales',
    thumbnailUrl: null,
    isPublic: false,
    blocks: [
      {
        id: 'block_1',
        type: 'chart',
        position: { x: 0, y: 0, w: 6, h: 4 },
        content: { chart_type: 'bar', config: { x_axis: 'region' }, title: 'Sales by Region' },
      },
      {
        id: 'block_2',
        type: 'narrative',
        position: { x: 6, y: 0, w: 6, h: 4 },
        content: { text: 'Insights' },
      },
    ],
    requiredFields: ['date', 'sales_amount', 'region'],
    createdBy: randomUUID(),
    ...overrides,
  }
}

async function listAll(store: TemplateStore, organizationId: string, category: string | null, limit: number) {
  const pages: Template[][] = []
  let after: PageCursor | null = null
  for (;;) {
    const page: { templates: readonly Template[]; next: PageCursor | null } = await store.list(
      organizationId,
      {
        category,
        after,
        limit,
      },
    )
    pages.push([...page.templates])
    if (page.next === null) return pages
    after = page.next
  }
}

/** The TemplateStore contract, run against one adapter. */
export function templateStoreConformance(
  name: string,
  factory: () => Promise<TemplateStoreHarness | null>,
): void {
  const { test, withHarness } = harnessSuite(`TemplateStore conformance: ${name}`, factory)

  test(
    'create returns the stored template; get reads it back',
    withHarness(async ({ store, clock }) => {
      const organizationId = randomUUID()
      const input = template(organizationId)
      const created = await store.create(input)
      assert.match(created.id, /^[0-9a-f-]{36}$/)
      assert.is(created.usageCount, 0)
      assert.is(created.createdAt.toISOString(), clock.now().toISOString())
      assert.equal(
        { ...created, id: undefined, usageCount: undefined, createdAt: undefined },
        {
          ...input,
          id: undefined,
          usageCount: undefined,
          createdAt: undefined,
        },
      )
      assert.equal(await store.get(organizationId, created.id), created)
      assert.is(await store.get(organizationId, randomUUID()), null)
      assert.is(await store.get(organizationId, 'not-an-id'), null)
    }),
  )

  test(
    'a private template is visible only to its organization; a public one to every organization',
    withHarness(async ({ store }) => {
      const [mine, theirs] = [randomUUID(), randomUUID()]
      const privateOne = await store.create(template(mine, { name: 'Private' }))
      const publicOne = await store.create(template(mine, { name: 'Public', isPublic: true }))
      const system = await store.create(template(null, { name: 'System', isPublic: true, createdBy: null }))
      assert.is(await store.get(theirs, privateOne.id), null)
      assert.equal(await store.get(theirs, publicOne.id), publicOne)
      assert.equal(await store.get(theirs, system.id), system)
      const theirList = (await listAll(store, theirs, null, 100)).flat().map((t) => t.id)
      assert.ok(!theirList.includes(privateOne.id))
      assert.ok(theirList.includes(publicOne.id) && theirList.includes(system.id))
      await assertRejects(
        () => store.create(template(null, { isPublic: false })),
        RangeError,
        /without an organization must be public/,
      )
    }),
  )

  test(
    'list pages newest first, ties broken by id, optionally by category',
    withHarness(async ({ store, clock }) => {
      const organizationId = randomUUID()
      const created: Template[] = []
      for (let i = 0; i < 5; i++) {
        // Two templates per instant: the page cursor must break ties.
        if (i % 2 === 0) clock.advance(1000)
        created.push(
          await store.create(template(organizationId, { name: `T${i}`, category: i < 3 ? 'a' : 'b' })),
        )
      }
      const expected = [...created]
        .sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : -1))
        .map((t) => t.id)
      const pages = await listAll(store, organizationId, null, 2)
      const own = pages.flat().filter((t) => t.organizationId === organizationId)
      assert.equal(
        own.map((t) => t.id),
        expected,
      )
      const categoryA = (await listAll(store, organizationId, 'a', 10)).flat()
      assert.ok(categoryA.every((t) => t.category === 'a'))
      assert.equal(categoryA.filter((t) => t.organizationId === organizationId).length, 3)
    }),
  )

  test(
    'recordUse counts canvases made from a template',
    withHarness(async ({ store }) => {
      const organizationId = randomUUID()
      const created = await store.create(template(organizationId))
      await store.recordUse(created.id)
      await store.recordUse(created.id)
      assert.is((await store.get(organizationId, created.id))?.usageCount, 2)
      await store.recordUse(randomUUID())
    }),
  )

  test.run()
}
