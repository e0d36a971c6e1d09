// The types: index.d.ts type-checks for ESM and CommonJS users and the README
// example; and what the API really returns (for every fixture request, status
// and rejection, lint report and diff) is typed exactly by the hand-written interfaces, so they
// cannot drift from the core's serialisation. The README example also runs.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath, pathToFileURL } from 'node:url'

import { diff, loadPaths } from 'gatewise'

import { caseNames, discover, fixturePaths, loadFixture, requestOf } from './support/fixtures.mjs'

const require = createRequire(import.meta.url)
const here = dirname(fileURLToPath(import.meta.url))
const PACKAGE = resolve(here, '..')
const TSC = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc')
const ts = require('typescript')

function tsc(project) {
  const r = spawnSync(process.execPath, [TSC, '-p', project], { encoding: 'utf8' })
  assert.equal(r.status, 0, `tsc -p ${project}:\n${r.stdout}${r.stderr}`)
}

const OPTIONS = JSON.parse(readFileSync(join(here, 'types/tsconfig.json'), 'utf8')).compilerOptions

describe('types', () => {
  it('index.d.ts serves ESM and CommonJS users, and the README example', () => {
    tsc(join(here, 'types/tsconfig.json'))
  })

  it('the README shows examples/readme.ts, which runs', () => {
    const example = readFileSync(join(PACKAGE, 'examples/readme.ts'), 'utf8')
    const readme = readFileSync(join(PACKAGE, '../README.md'), 'utf8')
    assert.ok(readme.includes(`\`\`\`ts\n${example}\`\`\``), 'README.md shows examples/readme.ts verbatim')
    const js = ts.transpileModule(example, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } })
      .outputText.replace("from 'gatewise'", `from ${JSON.stringify(pathToFileURL(join(PACKAGE, 'index.mjs')).href)}`)
    const dir = mkdtempSync(join(tmpdir(), 'gatewise-node-readme-'))
    try {
      writeFileSync(join(dir, 'readme.mjs'), js)
      const r = spawnSync(process.execPath, [join(dir, 'readme.mjs')], { cwd: resolve(PACKAGE, '..'), encoding: 'utf8' })
      assert.equal(r.status, 0, r.stderr)
      assert.match(r.stdout, /^shop\/api:8080\n/)
      assert.match(r.stdout, /WON/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('every result of the fixtures is typed exactly by index.d.ts', () => {
    const data = { decisions: [], explanations: [], status: [], rejected: [], warnings: [], skipped: [], checks: [], listeners: [], lints: [], diffs: [] }
    const { fixtures } = discover(fixturePaths())
    for (const { file, fixture } of fixtures) {
      let router
      try {
        router = loadFixture(file, fixture)
      } catch {
        continue // counted as failures by the fixture tests
      }
      for (const c of caseNames(fixture).filter((x) => x.kind === 'request')) {
        let request
        try {
          request = requestOf(c.spec)
          data.decisions.push(router.route(request))
        } catch {
          continue // a malformed request: a failure in the fixture tests
        }
        data.explanations.push(router.explain(request))
      }
      // Every protocol at every Gateway, for the fields only some give
      // (grpcStatus, tlsMode, ...).
      for (const gateway of router.gateways()) {
        for (const request of [
          { gateway, protocol: 'GRPC', host: 'example.com', grpc: { service: 'a.B', method: 'C' } },
          { gateway, protocol: 'GRPC', host: 'example.com', sni: 'example.com', grpc: { service: 'a.B', method: 'C' } },
          { gateway, protocol: 'HTTPS', host: 'example.com' },
          { gateway, protocol: 'TLS', host: 'example.com' },
          { gateway, protocol: 'TCP', port: 80 },
          { gateway, protocol: 'UDP', port: 53 },
        ]) {
          data.decisions.push(router.route(request))
          data.explanations.push(router.explain(request))
        }
      }
      data.status.push(...router.status())
      data.rejected.push(...router.rejected())
      data.warnings.push(...router.warnings())
      data.skipped.push(...router.skipped())
      data.checks.push(router.check())
      for (const g of router.gateways()) data.listeners.push(...router.listeners(g))
      data.lints.push(router.lint())
    }
    // Every lint code, and a diff both ways (testdata/, shared with Python).
    const testdata = resolve(PACKAGE, '../testdata')
    const base = join(testdata, 'lint/base.yaml')
    for (const name of readdirSync(join(testdata, 'lint/codes'))) data.lints.push(loadPaths([base, join(testdata, 'lint/codes', name)]).lint())
    const [before, after] = ['old', 'new'].map((v) => loadPaths(join(testdata, `diff/${v}.yaml`)))
    data.diffs.push(diff(before, after), diff(after, before))
    const codes = new Set(data.lints.flatMap((l) => l.findings.map((f) => f.code)))
    assert.equal(codes.size, 11, [...codes].join(' '))
    assert.ok(data.decisions.length > 0 && data.status.length > 0 && data.rejected.length > 0)
    const kinds = new Set(data.decisions.map((d) => d.kind))
    assert.deepEqual([...kinds].sort(), ['forward', 'redirect', 'reject', 'respond'])

    const types = {
      decisions: 'Decision',
      explanations: 'Explanation',
      status: 'StatusObject',
      rejected: 'Rejection',
      warnings: 'Warning',
      skipped: 'Skipped',
      checks: 'CheckReport',
      listeners: 'ListenerInfo',
      lints: 'LintReport',
      diffs: 'DiffReport',
    }
    const index = JSON.stringify(join(PACKAGE, 'index.js'))
    let source = `import type { ${Object.values(types).join(', ')} } from ${index}\n`
    for (const [key, type] of Object.entries(types)) {
      source += `export const ${key}: ${type}[] = ${JSON.stringify(data[key], null, 1)}\n`
    }
    const dir = mkdtempSync(join(tmpdir(), 'gatewise-node-shapes-'))
    try {
      writeFileSync(join(dir, 'data.mts'), source)
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: OPTIONS, files: ['data.mts'] }))
      tsc(join(dir, 'tsconfig.json'))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
