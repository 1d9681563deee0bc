import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import {
  addBlock,
  type CanvasChange,
  type CanvasJSON,
  insertNarrativeText,
  moveBlock,
  resizeBlock,
  toCanvasJSON,
  updateBlockContent,
} from '../shared/canvas/index.ts'
import type { VersionDetail, VersionListItem } from '../shared/history-api.ts'
import { createInProcessApp } from './support/in-process.ts'
import { buildOrg, expectStatus, type InProcessEnv, type OrgFixture } from './support/org-fixture.ts'
import { waitFor } from './support/wait.ts'

const test = suite<{ env: InProcessEnv; a: OrgFixture; b: OrgFixture }>(
  'history, templates and comments over HTTP (in-process)',
)

test.before(async (context) => {
  context.env = await createInProcessApp()
  context.a = await buildOrg(context.env, 'hist')
  context.b = await buildOrg(context.env, 'other')
})

test.after(async (context) => {
  await context.env.close()
})

/** Applies an edit to the stored canvas the way the server does it for REST changes (a journaled update). */
async function edit(env: InProcessEnv, canvasId: string, change: (doc: Y.Doc) => void): Promise<void> {
  const doc = new Y.Doc()
  const stored = await env.documents.loadDocument(canvasId)
  if (stored.state !== null) Y.applyUpdate(doc, stored.state)
  for (const entry of stored.journal) Y.applyUpdate(doc, entry.update)
  const updates: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => updates.push(update))
  change(doc)
  await env.registry.submitServerUpdate(canvasId, Y.mergeUpdates(updates), 'test', null)
  doc.destroy()
}

async function newCanvas(env: InProcessEnv, org: OrgFixture, name: string): Promise<string> {
  const canvas = await expectStatus(
    env,
    'POST',
    `/api/projects/${org.projectId}/canvases`,
    org.tokens.editor,
    201,
    {
      name,
    },
  )
  return canvas.id as string
}

async function named(env: InProcessEnv, org: OrgFixture, canvasId: string, label: string): Promise<number> {
  const body = await expectStatus(env, 'POST', `/api/canvases/${canvasId}/versions`, org.tokens.editor, 201, {
    label,
  })
  return (body as unknown as VersionListItem).version
}

async function documentOf(env: InProcessEnv, org: OrgFixture, canvasId: string): Promise<CanvasJSON> {
  const body = await expectStatus(env, 'GET', `/api/canvases/${canvasId}`, org.tokens.viewer, 200)
  return body.document as CanvasJSON
}

const types = (changes: readonly CanvasChange[]) =>
  changes.map((change) => `${change.type}:${'block_id' in change ? change.block_id : ''}`)

test('named versions, listing pages, version detail, ydoc, diff and replay on a scripted history', async ({
  env,
  a,
}) => {
  const canvasId = await newCanvas(env, a, 'Scripted')
  const author = a.ids.editor
  const v1 = await named(env, a, canvasId, 'empty canvas')
  await edit(env, canvasId, (doc) => {
    addBlock(doc, {
      id: 'chart',
      type: 'chart',
      position: { x: 0, y: 0, w: 6, h: 4 },
      content: { title: 'Sales' },
      author,
    })
    addBlock(doc, {
      id: 'story',
      type: 'narrative',
      position: { x: 6, y: 0, w: 6, h: 4 },
      content: { text: 'Q4 rose.' },
      author,
    })
  })
  const v2 = await named(env, a, canvasId, 'two blocks')
  await edit(env, canvasId, (doc) => moveBlock(doc, 'chart', { x: 0, y: 5 }, author))
  const v3 = await named(env, a, canvasId, 'moved')
  await edit(env, canvasId, (doc) => {
    resizeBlock(doc, 'chart', { w: 4, h: 3 }, author)
    updateBlockContent(doc, 'chart', { title: 'Revenue', legend: true }, author)
    insertNarrativeText(doc, 'story', 0, 'In ', author)
  })
  const v4 = await named(env, a, canvasId, 'resized and edited')
  assert.equal([v1, v2, v3, v4], [1, 2, 3, 4])

  // Listing: newest first, cursor pages.
  const first = await expectStatus(
    env,
    'GET',
    `/api/canvases/${canvasId}/versions?limit=3`,
    a.tokens.viewer,
    200,
  )
  assert.equal(
    (first.versions as VersionListItem[]).map((v) => v.version),
    [4, 3, 2],
  )
  assert.is(first.next_before, 2)
  const second = await expectStatus(
    env,
    'GET',
    `/api/canvases/${canvasId}/versions?limit=3&before=2`,
    a.tokens.viewer,
    200,
  )
  assert.equal(
    (second.versions as VersionListItem[]).map((v) => v.version),
    [1],
  )
  assert.is(second.next_before, null)
  const listed = (first.versions as VersionListItem[])[0]
  assert.is(listed?.label, 'resized and edited')
  assert.is(listed?.trigger, 'manual')
  assert.is(listed?.counts.block_resized, 1)

  // Detail: the document at that version, and its changes since the parent.
  const detail = (await expectStatus(
    env,
    'GET',
    `/api/canvases/${canvasId}/versions/3`,
    a.tokens.viewer,
    200,
  )) as unknown as VersionDetail
  assert.equal(detail.document.blocks.find((block) => block.id === 'chart')?.position, {
    x: 0,
    y: 5,
    w: 6,
    h: 4,
  })
  assert.equal(types(detail.changes), ['block_moved:chart'])
  assert.equal(detail.document, await documentAfter(env, canvasId, 3))

  // ydoc: a Yjs update rebuilding the version.
  const ydoc = await env.app.request(`/api/canvases/${canvasId}/versions/2/ydoc`, {
    headers: { authorization: `Bearer ${a.tokens.viewer}` },
  })
  assert.is(ydoc.status, 200)
  assert.is(ydoc.headers.get('content-type'), 'application/octet-stream')
  const rebuilt = new Y.Doc()
  Y.applyUpdate(rebuilt, new Uint8Array(await ydoc.arrayBuffer()))
  assert.equal(toCanvasJSON(rebuilt), await documentAfter(env, canvasId, 2))

  // Diff between any two versions (0: the empty canvas).
  const diff = await expectStatus(
    env,
    'GET',
    `/api/canvases/${canvasId}/diff?from=2&to=4`,
    a.tokens.viewer,
    200,
  )
  assert.equal(types(diff.changes as CanvasChange[]), [
    'narrative_text_changed:story',
    'block_moved:chart',
    'block_resized:chart',
    'block_content_changed:chart',
  ])
  const content = (diff.changes as CanvasChange[]).find((change) => change.type === 'block_content_changed')
  assert.equal(content?.type === 'block_content_changed' ? content.fields : null, ['legend', 'title'])
  const text = (diff.changes as CanvasChange[]).find((change) => change.type === 'narrative_text_changed')
  assert.equal(text?.type === 'narrative_text_changed' ? text.ranges : null, [
    { index: 0, inserted: 3, deleted: 0 },
  ])
  const fromEmpty = await expectStatus(
    env,
    'GET',
    `/api/canvases/${canvasId}/diff?from=0&to=2`,
    a.tokens.viewer,
    200,
  )
  assert.is((fromEmpty.counts as Record<string, number>).block_added, 2)
  const backwards = await expectStatus(
    env,
    'GET',
    `/api/canvases/${canvasId}/diff?from=2&to=1`,
    a.tokens.viewer,
    200,
  )
  assert.equal(types(backwards.changes as CanvasChange[]), ['block_removed:chart', 'block_removed:story'])
  await expectStatus(env, 'GET', `/api/canvases/${canvasId}/diff?from=1&to=9`, a.tokens.viewer, 404)
  await expectStatus(env, 'GET', `/api/canvases/${canvasId}/diff?from=x&to=1`, a.tokens.viewer, 400)

  // Replay: NDJSON, one line per version in order, with states on request.
  const replay = await env.app.request(`/api/canvases/${canvasId}/replay?from=1&to=4&state=1`, {
    headers: { authorization: `Bearer ${a.tokens.viewer}` },
  })
  assert.is(replay.status, 200)
  assert.match(replay.headers.get('content-type') ?? '', /application\/x-ndjson/)
  const lines = (await replay.text())
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as VersionDetail)
  assert.equal(
    lines.map((line) => line.version),
    [1, 2, 3, 4],
  )
  assert.equal(types(lines[1]?.changes ?? []), ['block_added:chart', 'block_added:story'])
  assert.equal(types(lines[2]?.changes ?? []), ['block_moved:chart'])
  for (const line of lines) assert.equal(line.document, await documentAfter(env, canvasId, line.version))
  const bare = await env.app.request(`/api/canvases/${canvasId}/replay?from=3&to=4`, {
    headers: { authorization: `Bearer ${a.tokens.viewer}` },
  })
  const bareLines = (await bare.text())
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
  assert.equal(
    bareLines.map((line) => [line.version, 'document' in line]),
    [
      [3, false],
      [4, false],
    ],
  )
  await expectStatus(env, 'GET', `/api/canvases/${canvasId}/replay?from=4&to=3`, a.tokens.viewer, 400)
  await expectStatus(env, 'GET', `/api/canvases/${canvasId}/replay?from=1&to=2000`, a.tokens.viewer, 400)
  await expectStatus(env, 'GET', `/api/canvases/${canvasId}/versions/99`, a.tokens.viewer, 404)
  await expectStatus(env, 'GET', `/api/canvases/${canvasId}/versions/abc`, a.tokens.viewer, 404)

  const row = await env.db
    .selectFrom('canvases')
    .select('current_version')
    .where('id', '=', canvasId)
    .executeTakeFirst()
  assert.is(row?.current_version, 4, 'canvases.current_version follows the newest version')
})

/** The document a version rebuilds to, read through the version detail route. */
async function documentAfter(env: InProcessEnv, canvasId: string, version: number): Promise<CanvasJSON> {
  const stored = await env.history.versions.readChain(canvasId, version)
  const doc = new Y.Doc()
  for (const row of stored ?? []) Y.applyUpdate(doc, row.data)
  return toCanvasJSON(doc)
}

test('restore: the canvas reads as the version again, a new version follows the current one, audited', async ({
  env,
  a,
}) => {
  const canvasId = await newCanvas(env, a, 'Restorable')
  const author = a.ids.editor
  await edit(env, canvasId, (doc) =>
    addBlock(doc, {
      id: 'keep',
      type: 'table',
      position: { x: 0, y: 0, w: 12, h: 3 },
      content: { title: 'v1' },
      author,
    }),
  )
  await named(env, a, canvasId, 'good')
  await edit(env, canvasId, (doc) => {
    updateBlockContent(doc, 'keep', { title: 'broken' }, author)
    addBlock(doc, { id: 'junk', type: 'chart', position: { x: 0, y: 4, w: 2, h: 2 }, author })
  })
  const good = await documentAfter(env, canvasId, 1)
  await expectStatus(env, 'POST', `/api/canvases/${canvasId}/versions/1/restore`, a.tokens.viewer, 403)
  const restored = await expectStatus(
    env,
    'POST',
    `/api/canvases/${canvasId}/versions/1/restore`,
    a.tokens.editor,
    200,
  )
  assert.is(restored.restored_from, 1)
  assert.is(restored.changed, true)
  const version = restored.version as VersionListItem
  // The unversioned edits were kept first (pre-restore), then the restore itself.
  assert.equal([version.version, version.parent_version, version.trigger], [3, 2, 'restore'])
  assert.ok(version.authors.includes(a.ids.editor), 'the restoring user is credited')
  const list = await expectStatus(env, 'GET', `/api/canvases/${canvasId}/versions`, a.tokens.viewer, 200)
  assert.equal(
    (list.versions as VersionListItem[]).map((v) => [v.version, v.trigger]),
    [
      [3, 'restore'],
      [2, 'pre-restore'],
      [1, 'manual'],
    ],
  )
  assert.equal(await documentOf(env, a, canvasId), good)
  assert.equal(await documentAfter(env, canvasId, 3), good)
  await waitFor('restore audit row', async () => {
    const row = await env.db
      .selectFrom('audit_logs')
      .select(['user_id', 'changes'])
      .where('action', '=', 'canvas.restore')
      .where('resource_id', '=', canvasId)
      .executeTakeFirst()
    return row === undefined ? undefined : row
  }).then((row) => {
    assert.is(row.user_id, a.ids.editor)
    assert.equal(row.changes, { restored_from: 1, version: 3, changed: true })
  })
  // Restoring what the canvas already reads as changes nothing but still records the restore.
  const again = await expectStatus(
    env,
    'POST',
    `/api/canvases/${canvasId}/versions/3/restore`,
    a.tokens.editor,
    200,
  )
  assert.is(again.changed, false)
  await expectStatus(env, 'POST', `/api/canvases/${canvasId}/versions/42/restore`, a.tokens.editor, 404)
})

test('templates: validation, visibility per organization, from a canvas, and a canvas from a template', async ({
  env,
  a,
  b,
}) => {
  const blocks = [
    {
      id: 'kpi',
      type: 'chart',
      position: { x: 0, y: 0, w: 6, h: 4 },
      content: { chart_type: 'bar', title: 'KPI' },
    },
    { id: 'notes', type: 'narrative', position: { x: 6, y: 0, w: 6, h: 4 }, content: { text: 'Notes' } },
  ]
  const body = { name: 'Sales Dashboard', category: 'sales', blocks, required_fields: ['date', 'region'] }
  const created = await expectStatus(env, 'POST', '/api/templates', a.tokens.viewer, 201, body)
  assert.equal(
    [created.name, created.category, created.is_public, created.usage_count, created.organization_id],
    ['Sales Dashboard', 'sales', false, 0, a.organizationId],
  )
  const offGrid = await expectStatus(env, 'POST', '/api/templates', a.tokens.viewer, 400, {
    name: 'bad',
    blocks: [{ id: 'x', type: 'chart', position: { x: 10, y: 0, w: 6, h: 1 } }],
  })
  assert.is(offGrid.field, 'blocks')
  await expectStatus(env, 'POST', '/api/templates', a.tokens.viewer, 400, {
    name: 'dup',
    blocks: [blocks[0], blocks[0]],
  })
  await expectStatus(env, 'POST', '/api/templates', a.tokens.editor, 403, { ...body, is_public: true })
  const published = await expectStatus(env, 'POST', '/api/templates', a.tokens.orgAdmin, 201, {
    ...body,
    name: 'Public one',
    is_public: true,
  })

  // Visibility: own organization's and public templates only.
  await expectStatus(env, 'GET', `/api/templates/${created.id as string}`, b.tokens.orgAdmin, 404)
  await expectStatus(env, 'GET', `/api/templates/${published.id as string}`, b.tokens.viewer, 200)
  const seenByB = await expectStatus(env, 'GET', '/api/templates?limit=100', b.tokens.viewer, 200)
  const idsB = (seenByB.templates as { id: string }[]).map((t) => t.id)
  assert.ok(idsB.includes(published.id as string) && !idsB.includes(created.id as string))
  const page1 = await expectStatus(env, 'GET', '/api/templates?limit=1&category=sales', a.tokens.viewer, 200)
  assert.is((page1.templates as unknown[]).length, 1)
  const page2 = await expectStatus(
    env,
    'GET',
    `/api/templates?limit=1&category=sales&cursor=${page1.next_cursor as string}`,
    a.tokens.viewer,
    200,
  )
  assert.is.not((page2.templates as { id: string }[])[0]?.id, (page1.templates as { id: string }[])[0]?.id)
  await expectStatus(env, 'GET', '/api/templates?cursor=garbage', a.tokens.viewer, 400)

  // A canvas from the template has its blocks; the template counts the use.
  const canvas = await expectStatus(
    env,
    'POST',
    `/api/projects/${a.projectId}/canvases`,
    a.tokens.editor,
    201,
    {
      name: 'From template',
      template_id: created.id,
    },
  )
  const document = await documentOf(env, a, canvas.id as string)
  assert.equal(
    document.blocks.map((block) => [block.id, block.type, block.position]),
    [
      ['kpi', 'chart', { x: 0, y: 0, w: 6, h: 4 }],
      ['notes', 'narrative', { x: 6, y: 0, w: 6, h: 4 }],
    ],
  )
  assert.is(document.blocks[1]?.content.text, 'Notes')
  assert.is(document.blocks[0]?.metadata.created_by, a.ids.editor)
  const used = await expectStatus(env, 'GET', `/api/templates/${created.id as string}`, a.tokens.viewer, 200)
  assert.is(used.usage_count, 1)
  const foreign = await expectStatus(
    env,
    'POST',
    `/api/projects/${b.projectId}/canvases`,
    b.tokens.editor,
    400,
    {
      name: 'stolen',
      template_id: created.id,
    },
  )
  assert.is(foreign.field, 'template_id')

  // A template from a canvas: its current blocks, without authorship.
  const fromCanvas = await expectStatus(
    env,
    'POST',
    `/api/canvases/${canvas.id as string}/template`,
    a.tokens.editor,
    201,
    {
      name: 'Copied',
    },
  )
  assert.equal(
    (fromCanvas.blocks as { id: string; content: unknown }[]).map((block) => [block.id, block.content]),
    [
      ['kpi', { chart_type: 'bar', title: 'KPI' }],
      ['notes', { text: 'Notes' }],
    ],
  )
  await expectStatus(env, 'POST', `/api/canvases/${canvas.id as string}/template`, a.tokens.viewer, 403, {
    name: 'x',
  })
})

test('comments: anchored, listed, resolved, deleted, counted; who may do what', async ({ env, a, b }) => {
  const canvasId = await newCanvas(env, a, 'Discussed')
  await edit(env, canvasId, (doc) =>
    addBlock(doc, { id: 'chart', type: 'chart', position: { x: 0, y: 0, w: 6, h: 4 }, author: a.ids.editor }),
  )
  const path = `/api/canvases/${canvasId}/comments`
  const byViewer = await expectStatus(env, 'POST', path, a.tokens.viewer, 201, {
    body: 'Why the dip?',
    block_id: 'chart',
  })
  assert.equal([byViewer.author_id, byViewer.block_id, byViewer.resolved_at], [a.ids.viewer, 'chart', null])
  const byEditor = await expectStatus(env, 'POST', path, a.tokens.editor, 201, { body: 'General note' })
  const noBlock = await expectStatus(env, 'POST', path, a.tokens.viewer, 400, { body: 'x', block_id: 'nope' })
  assert.is(noBlock.field, 'block_id')
  await expectStatus(env, 'POST', path, a.tokens.viewer, 400, { body: '   ' })
  await expectStatus(env, 'POST', path, a.tokens.outsider, 404, { body: 'no access' })
  await expectStatus(env, 'GET', path, b.tokens.orgAdmin, 404)

  const all = await expectStatus(env, 'GET', path, a.tokens.viewer, 200)
  assert.equal(
    (all.comments as { id: string }[]).map((c) => c.id),
    [byViewer.id, byEditor.id],
  )
  const onChart = await expectStatus(env, 'GET', `${path}?block_id=chart`, a.tokens.viewer, 200)
  assert.equal(
    (onChart.comments as { id: string }[]).map((c) => c.id),
    [byViewer.id],
  )
  const canvas = await expectStatus(env, 'GET', `/api/canvases/${canvasId}`, a.tokens.viewer, 200)
  assert.equal(canvas.interactions, { comments_count: 2 })

  // Resolve: the author or an editor; a viewer cannot resolve someone else's comment.
  await expectStatus(env, 'POST', `${path}/${byEditor.id as string}/resolve`, a.tokens.viewer, 403)
  const resolved = await expectStatus(
    env,
    'POST',
    `${path}/${byViewer.id as string}/resolve`,
    a.tokens.editor,
    200,
  )
  assert.is(resolved.resolved_by, a.ids.editor)
  const open = await expectStatus(env, 'GET', `${path}?include_resolved=false`, a.tokens.viewer, 200)
  assert.equal(
    (open.comments as { id: string }[]).map((c) => c.id),
    [byEditor.id],
  )

  // Delete: the author or a canvas admin.
  await expectStatus(env, 'DELETE', `${path}/${byEditor.id as string}`, a.tokens.viewer, 403)
  await expectStatus(env, 'DELETE', `${path}/${byViewer.id as string}`, a.tokens.viewer, 204)
  await expectStatus(env, 'DELETE', `${path}/${byViewer.id as string}`, a.tokens.viewer, 404)
  await expectStatus(env, 'DELETE', `${path}/${byEditor.id as string}`, a.tokens.projAdmin, 204)
  const after = await expectStatus(env, 'GET', `/api/canvases/${canvasId}`, a.tokens.viewer, 200)
  assert.equal(after.interactions, { comments_count: 0 })
  await expectStatus(env, 'GET', `${path}/not-a-uuid/resolve`, a.tokens.viewer, 404)

  // A public canvas: another organization's users read the discussion but do not post.
  await expectStatus(env, 'PUT', `/api/canvases/${canvasId}/sharing`, a.tokens.orgAdmin, 200, {
    visibility: 'public',
    permissions: [],
    public_link: false,
  })
  await expectStatus(env, 'GET', path, b.tokens.viewer, 200)
  await expectStatus(env, 'POST', path, b.tokens.viewer, 403, { body: 'drive-by' })
})

test('versions need a role on the canvas: viewers read, editors write, other organizations see nothing', async ({
  env,
  a,
  b,
}) => {
  const canvasId = a.canvasId
  await expectStatus(env, 'POST', `/api/canvases/${canvasId}/versions`, a.tokens.viewer, 403, {})
  const version = await expectStatus(
    env,
    'POST',
    `/api/canvases/${canvasId}/versions`,
    a.tokens.editor,
    201,
    {},
  )
  assert.is(version.label, null)
  await expectStatus(env, 'GET', `/api/canvases/${canvasId}/versions`, a.tokens.viewer, 200)
  for (const token of [b.tokens.orgAdmin, a.tokens.outsider]) {
    await expectStatus(env, 'GET', `/api/canvases/${canvasId}/versions`, token, 404)
    await expectStatus(env, 'GET', `/api/canvases/${canvasId}/versions/1`, token, 404)
    await expectStatus(env, 'GET', `/api/canvases/${canvasId}/diff?from=0&to=1`, token, 404)
    await expectStatus(env, 'POST', `/api/canvases/${canvasId}/versions/1/restore`, token, 404)
  }
})

test.run()
