import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { configFor } from '../config.ts'
import { JABIRU, JABIRU_TWIN } from '../servers/catalog.ts'
import { s3 } from './s3-hot-canvas.ts'
import { s4 } from './s4-quiet-canvases.ts'
import type { ScenarioDef } from './types.ts'

const names = (def: ScenarioDef): string[] => def.servers.map((s) => s.name)

test("the full profile's S3 and S4 measure Jabiru's A/A twin last and say what it is", () => {
  for (const def of [s3(configFor('full'), true), s4(configFor('full'), true)]) {
    assert.is(names(def).at(-1), JABIRU_TWIN.name, def.id)
    assert.ok(names(def).includes(JABIRU.name), def.id)
    assert.match(def.description, 'A/A twin', def.id)
  }
})

test('the quick profile, and a run without Jabiru, have no twin', () => {
  for (const def of [
    s3(configFor('quick'), true),
    s3(configFor('full'), false),
    s4(configFor('full'), false),
  ]) {
    assert.not.ok(names(def).includes(JABIRU_TWIN.name), def.id)
    assert.not.match(def.description, 'A/A twin', def.id)
  }
})

test.run()
