// Every spec fixture (spec-fixtures/fixtures/, or the `:`-separated paths in
// GATEWISE_FIXTURES) through the public JS API: one subtest per case, grouped
// by fixture file.

import assert from 'node:assert/strict'
import { relative } from 'node:path'
import { describe, it } from 'node:test'

import { caseNames, discover, fixturePaths, prepare } from './support/fixtures.mjs'

const paths = fixturePaths()
const { fixtures, malformed } = discover(paths)
const shown = (file) => relative(process.cwd(), file)

describe('spec fixtures', () => {
  it(`finds fixtures in ${paths.map(shown).join(', ')}`, () => {
    assert.ok(fixtures.length > 0, 'no fixture found')
  })

  for (const m of malformed) {
    it(`${shown(m.file)} is a well-formed fixture`, () => {
      assert.fail(`${shown(m.file)}${m.line == null ? '' : `:${m.line}`}: malformed: ${m.message}`)
    })
  }

  for (const { file, fixture } of fixtures) {
    describe(`${fixture.name} (${shown(file)})`, () => {
      const run = prepare(file, fixture)
      for (const c of caseNames(fixture)) {
        it(`${c.kind}: ${c.name}`, () => {
          const message = run(c)
          if (message !== null) assert.fail(message)
        })
      }
    })
  }
})
