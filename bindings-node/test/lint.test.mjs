// Lint and diff through Node: every lint code on its manifest from
// testdata/lint (shared with the Python tests and kept equal to the crate docs
// by core/tests/lint.rs), each finding's example request routed through the
// same router to show the problem, and parity with `gatewise lint -o json`
// and `gatewise diff -o json`.

import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { spawnSync } from 'node:child_process'
import { describe, it } from 'node:test'
import { fileURLToPath, pathToFileURL } from 'node:url'

import YAML from 'yaml'

import { diff, loadPaths, loadText } from 'gatewise'

import { gatewise } from './support/cli.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
const ROOT = resolve(here, '../..')
const LINT = join(ROOT, 'testdata/lint')
const BASE = join(LINT, 'base.yaml')
const CODES = join(LINT, 'codes')
const DIFF = join(ROOT, 'testdata/diff')

const ALL_CODES = Array.from({ length: 11 }, (_, i) => `GW${String(i + 1).padStart(3, '0')}`)

// For each code, the finding its manifest must give: severity, object and field.
const EXPECTED = {
  GW001: ['warning', 'HTTPRoute shop/web', 'spec.rules[1].matches[0]'],
  GW002: ['warning', 'HTTPRoute shop/web-v2', 'spec.rules[0]'],
  GW003: ['error', 'HTTPRoute shop/web', 'spec.rules[0].backendRefs[0]'],
  GW004: ['error', 'HTTPRoute shop/web', 'spec.parentRefs[0].sectionName'],
  GW005: ['error', 'HTTPRoute shop/web', 'spec.rules[0].backendRefs[0]'],
  GW006: ['warning', 'ReferenceGrant billing/from-shop', 'spec'],
  GW007: ['error', 'Gateway infra/secure', 'spec.listeners[0].tls.certificateRefs[0]'],
  GW008: ['warning', 'HTTPRoute shop/web', 'spec.hostnames[1]'],
  GW009: ['error', 'HTTPRoute blog/web', 'spec.parentRefs[0]'],
  GW010: ['warning', 'Gateway infra/gw', 'spec.listeners[0]'],
  GW011: ['error', 'GRPCRoute shop/rpc', 'spec.hostnames'],
}

const CODE_FILES = Object.fromEntries(
  readdirSync(CODES)
    .sort()
    .map((name) => [name.split('-')[0], join(CODES, name)]),
)

const objectName = (o) => (o.namespace === '' ? `${o.kind} ${o.name}` : `${o.kind} ${o.namespace}/${o.name}`)

/** The `router.route` argument that sends an example request. */
function routeArgs(example) {
  const { headers, ...rest } = example
  return headers === undefined ? rest : { ...rest, headers: headers.map((h) => [h.name, h.value]) }
}

function index(field, key) {
  const m = field.match(new RegExp(`${key.replace(/[.[\]]/g, '\\$&')}\\[(\\d+)\\]`))
  return m === null ? 0 : Number(m[1])
}

/** The name of listener `spec.listeners[k]` of the finding's Gateway. */
function listenerName(manifests, f) {
  for (const path of manifests) {
    for (const doc of YAML.parseAllDocuments(readFileSync(path, 'utf8'))) {
      const obj = doc.toJS()
      if (obj?.kind === f.object.kind && obj.metadata?.namespace === f.object.namespace && obj.metadata?.name === f.object.name) {
        return obj.spec.listeners[index(f.field, 'spec.listeners')].name
      }
    }
  }
  throw new Error(`${f.code}: no listener for ${f.field} in ${manifests}`)
}

/** The finding's example request, routed, shows the problem it describes (the
 * same checks as core/tests/lint.rs). */
function demonstrates(router, manifests, f) {
  const request = routeArgs(f.exampleRequest)
  const decision = router.route(request)
  const explained = router.explain(request)
  const context = `${f.code} ${f.message}\n${explained.text}`
  assert.ok(explained.consistent, context)
  assert.deepEqual(decision, explained.decision)
  const own = (d) => d.route !== undefined && d.route.kind === f.object.kind && d.route.namespace === f.object.namespace && d.route.name === f.object.name
  const rule = index(f.field, 'rules')
  const match = index(f.field, 'matches')
  switch (f.code) {
    case 'GW001':
    case 'GW002': {
      // The shadowed match matches the request, and loses.
      const route = `${f.object.namespace}/${f.object.name}`
      const mine = explained.candidates.filter((c) => c.route === route && c.rule === rule && c.matchIndex === match)
      assert.equal(mine.length, 1, context)
      assert.equal(mine[0].outcome, 'lost', context)
      assert.ok(decision.route !== undefined, context)
      assert.ok(!(own(decision) && decision.rule === rule && decision.matchIndex === match), context)
      if (f.code === 'GW002') {
        const { kind, namespace, name } = decision.route
        assert.deepEqual({ kind, namespace, name }, f.related, context)
      }
      break
    }
    case 'GW003':
    case 'GW005':
    case 'GW007':
      if (f.field.includes('backendRefs')) {
        // The rule decides, and its share of requests is answered 500.
        assert.ok(own(decision) && decision.rule === rule, context)
        assert.ok(decision.status === 500 || decision.kind === 'reject' || (decision.backends ?? []).some((b) => b.status === 500), context)
      } else {
        // The listener whose certificate does not resolve takes no request.
        assert.notEqual(f.code, 'GW003', context)
        const listener = listenerName(manifests, f)
        assert.notEqual(decision.listener, listener, context)
        assert.ok(!explained.listeners.some((l) => l.chosen && l.name === listener), context)
      }
      break
    case 'GW008':
    case 'GW009':
    case 'GW011':
      // The route does not get the request.
      assert.ok(!own(decision), context)
      break
    case 'GW010': {
      // The listener takes the request and has no route for it.
      const listener = listenerName(manifests, f)
      assert.ok(explained.listeners.some((l) => l.chosen && l.name === listener), context)
      assert.equal(decision.reason, 'NoMatchingRoute', context)
      assert.ok(decision.kind === 'reject' || decision.status === 404, context)
      break
    }
    default:
      assert.fail(`${f.code} findings carry no example request: ${context}`)
  }
}

function cliJson(...args) {
  const r = gatewise([...args, '-o', 'json'])
  assert.ok([0, 1].includes(r.status), r.stderr)
  return JSON.parse(r.stdout)
}

describe('lint', () => {
  it('testdata/lint has a manifest for every code', () => {
    assert.deepEqual(Object.keys(CODE_FILES).sort(), ALL_CODES)
    assert.deepEqual(Object.keys(EXPECTED).sort(), ALL_CODES)
  })

  for (const code of ALL_CODES) {
    it(`${code}: found, and its example request shows the problem`, () => {
      const manifests = [BASE, CODE_FILES[code]]
      const router = loadPaths(manifests)
      assert.deepEqual(router.rejected(), [])
      const report = router.lint()
      const [severity, object, field] = EXPECTED[code]
      const found = report.findings.filter((f) => f.code === code && objectName(f.object) === object && f.field === field)
      assert.equal(found.length, 1, JSON.stringify(report.findings, null, 1))
      const f = found[0]
      assert.equal(f.severity, severity)
      assert.equal(f.name, basename(CODE_FILES[code], '.yaml').slice('GW000-'.length))
      assert.ok(f.message.length > 0 && !f.message.endsWith('.'), f.message)
      // Every finding of the manifest (GW010 comes along with several) shows
      // its problem when its example request is routed.
      for (const g of report.findings.filter((x) => x.exampleRequest !== undefined)) demonstrates(router, manifests, g)
      if (!['GW004', 'GW006'].includes(code)) assert.ok(f.exampleRequest !== undefined, `${code} has no example request`)
    })

    it(`${code}: the same report as gatewise lint -o json`, () => {
      const manifests = [BASE, CODE_FILES[code]]
      assert.deepEqual(loadPaths(manifests).lint(), cliJson('lint', ...manifests))
      assert.deepEqual(loadPaths(manifests).lint({ allow: ['GW010'] }), cliJson('lint', '--allow', 'GW010', ...manifests))
    })
  }

  it('allow leaves codes out; an unknown code throws', () => {
    const router = loadPaths([BASE, CODE_FILES.GW009])
    const codes = (r) => r.findings.map((f) => f.code)
    assert.ok(codes(router.lint()).includes('GW010'))
    assert.ok(!codes(router.lint({ allow: ['listener-without-routes'] })).includes('GW010'))
    assert.throws(() => router.lint({ allow: ['GW999'] }), /unknown lint code "GW999"/)
  })

  it('the examples are clean; rejected objects are reported beside the findings', () => {
    assert.deepEqual(loadPaths(join(ROOT, 'examples')).lint(), { findings: [], rejected: [], errors: [] })
    const router = loadText(
      `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: broken, namespace: shop}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: {type: PathPrefix, value: /a//b}}]}]
`,
    )
    assert.deepEqual(router.lint().rejected, router.rejected())
    assert.equal(router.lint().rejected[0].object.name, 'broken')
  })
})

describe('diff', () => {
  const oldPath = join(DIFF, 'old.yaml')
  const newPath = join(DIFF, 'new.yaml')

  it('shows the changed decision and status, as gatewise diff -o json', () => {
    const before = loadPaths(oldPath)
    const after = loadPaths(newPath)
    const report = diff(before, after)
    assert.deepEqual(report, cliJson('diff', oldPath, newPath))

    // The /api rule now names a Service that does not exist.
    assert.equal(report.statusChanges.length, 1)
    const [status] = report.statusChanges
    assert.equal(objectName(status.object), 'HTTPRoute shop/shop')
    assert.equal(status.condition, 'ResolvedRefs')
    assert.equal(status.old.status, 'True')
    assert.deepEqual([status.new.status, status.new.reason], ['False', 'BackendNotFound'])

    assert.equal(report.trafficChanges.length, 1)
    const [traffic] = report.trafficChanges
    assert.deepEqual([traffic.request.host, traffic.request.path], ['shop.example.com', '/api'])
    assert.equal(traffic.old.kind, 'forward')
    assert.deepEqual(traffic.old.backends.map((b) => `${b.namespace}/${b.name}:${b.port}`), ['shop/api:8080'])
    assert.deepEqual([traffic.new.kind, traffic.new.status], ['respond', 500])
    assert.ok(traffic.differs.includes('kind'))
    // The request, routed through each version, gives the decision reported.
    assert.deepEqual(before.route(routeArgs(traffic.request)), traffic.old)
    assert.deepEqual(after.route(routeArgs(traffic.request)), traffic.new)

    const unchanged = diff(before, loadPaths(oldPath))
    assert.deepEqual([unchanged.statusChanges, unchanged.trafficChanges], [[], []])
    assert.equal(unchanged.requestsChecked, report.requestsChecked)
  })

  it('wants one controller name', () => {
    assert.throws(() => diff(loadPaths(oldPath), loadPaths(oldPath, { controllerName: 'example.com/other' })), /different controller names/)
  })
})

describe('README', () => {
  it('the lint and diff example of the Node section runs', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const example = readme.split('Lint and diff from Node')[1].split('```js\n')[1].split('```')[0]
    const js = example.replace("from 'gatewise'", `from ${JSON.stringify(pathToFileURL(resolve(here, '../index.mjs')).href)}`)
    const dir = mkdtempSync(join(tmpdir(), 'gatewise-node-lint-readme-'))
    try {
      writeFileSync(join(dir, 'example.mjs'), js)
      const r = spawnSync(process.execPath, [join(dir, 'example.mjs')], { cwd: ROOT, encoding: 'utf8' })
      assert.equal(r.status, 0, r.stderr)
      assert.equal(
        r.stdout,
        [
          'warning GW001 shadowed-rule: HTTPRoute shop/web spec.rules[1].matches[0]: this match (PathPrefix /api) never wins on listener infra/gw/http for hostname *.example.com: HTTPRoute shop/web rule 0 match 0 (RegularExpression /.*) ranks higher and matches every request it matches',
          "  e.g. { kind: 'HTTPRoute', namespace: 'shop', name: 'web' }",
          '/api forward -> respond 500',
          '',
        ].join('\n'),
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
