// The JS fixture runner and the Rust one (`gatewise fixtures -o json`) give
// every case the same outcome: on the fixtures under test, on each of them with
// its expectations altered (every altered case must fail, so the comparison
// can fail), and on edge cases of the format written here.

import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'

import YAML from 'yaml'

import { rustFixtures } from './support/cli.mjs'
import { DEFAULT_FIXTURES, discover, fixturePaths, runAll } from './support/fixtures.mjs'

/** Cases keyed by file, fixture, kind, name and occurrence (names may repeat). */
function keyed(cases) {
  const seen = new Map()
  const out = new Map()
  for (const c of cases) {
    const base = JSON.stringify([c.file, c.fixture, c.kind, c.case])
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    out.set(`${base}#${n}`, c)
  }
  return out
}

/** Asserts that the two runners agree on every case and on malformed files. */
function assertAgreement(js, rust) {
  const a = keyed(js.cases)
  const b = keyed(rust.cases)
  const disagreements = []
  for (const [k, c] of a) {
    const r = b.get(k)
    if (r === undefined) disagreements.push(`only in Node: ${c.fixture} / ${c.case}`)
    else if (r.passed !== c.passed) {
      disagreements.push(
        `${c.fixture} / ${c.case}: Node ${c.passed ? 'passed' : `failed (${c.message})`}, Rust ${r.passed ? 'passed' : `failed (${r.message})`}`,
      )
    }
  }
  for (const [k, r] of b) if (!a.has(k)) disagreements.push(`only in Rust: ${r.fixture} / ${r.case}`)
  assert.deepEqual(disagreements, [])
  assert.deepEqual(
    js.malformed.map((m) => m.file).sort(),
    rust.malformed.map((m) => m.file).sort(),
    'the same files are malformed',
  )
}

describe('agreement with gatewise fixtures -o json', () => {
  it('on the fixtures under test', () => {
    const paths = fixturePaths()
    const js = runAll(paths)
    const rust = rustFixtures(paths)
    assert.ok(js.cases.length > 0)
    assertAgreement(js, rust)
    assert.equal(js.cases.length, rust.summary.passed + rust.summary.failed + rust.summary.skipped)
  })

  describe('on altered copies', () => {
    let dir
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'gatewise-node-altered-'))
    })
    after(() => rmSync(dir, { recursive: true, force: true }))

    it('every altered case fails, in both runners', () => {
      const { fixtures } = discover(fixturePaths())
      let altered = 0
      for (const { file } of fixtures) {
        const doc = YAML.parse(readFileSync(file, 'utf8'))
        altered += alter(doc)
        // Includes are relative to the original file.
        doc.include = (doc.include ?? []).map((p) => resolve(dirname(file), p))
        doc.name = `altered ${doc.name}`
        const out = join(dir, `${relative('/', file).replaceAll('/', '_')}`)
        writeFileSync(out, YAML.stringify(doc))
      }
      const js = runAll([dir])
      const rust = rustFixtures([dir])
      assertAgreement(js, rust)
      assert.equal(js.cases.length, altered)
      const passing = js.cases.filter((c) => c.passed).map((c) => `${c.fixture} / ${c.case}`)
      assert.deepEqual(passing, [], 'an altered expectation must fail')
    })
  })

  describe('on edge cases of the format', () => {
    let dir
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'gatewise-node-edges-'))
      for (const [name, doc] of Object.entries(EDGES)) {
        mkdirSync(dirname(join(dir, name)), { recursive: true })
        writeFileSync(join(dir, name), typeof doc === 'string' ? doc : YAML.stringify(doc))
      }
    })
    after(() => rmSync(dir, { recursive: true, force: true }))

    it('outcomes as the format says, in both runners', () => {
      const js = runAll([dir])
      const rust = rustFixtures([dir])
      assertAgreement(js, rust)
      const wrong = js.cases
        .filter((c) => c.passed !== c.fixture.startsWith('edges that pass'))
        .map((c) => `${c.fixture} / ${c.case}: ${c.passed ? 'passed' : c.message}`)
      assert.deepEqual(wrong, [])
      assert.deepEqual(js.malformed.map((m) => relative(dir, m.file)).sort(), ['malformed/bad-protocol.yaml', 'malformed/unknown-key.yaml'])
    })
  })
})

/** Alters every case of a fixture so that it must fail; returns the count. */
function alter(doc) {
  let n = 0
  for (const r of doc.requests ?? []) {
    const e = r.expect
    if (e.backend) e.backend.port = (e.backend.port % 65535) + 1
    else if (e.backends) e.backends[0].weight = (e.backends[0].weight ?? 1) + 1
    else if (e.redirect) e.redirect.location += 'x'
    else if (e.status === 'reject') e.status = 404
    else if (e.status !== undefined) e.status = 418
    n++
  }
  const flip = (c) => {
    c.status = String(c.status) === 'True' || c.status === true ? 'False' : 'True'
  }
  for (const s of doc.status ?? []) {
    if (s.conditions?.length) flip(s.conditions[0])
    else if (s.listeners?.length) s.listeners[0].attachedRoutes = (s.listeners[0].attachedRoutes ?? 0) + 1000
    else if (s.parents?.length) s.parents[0].parentRef.sectionName = 'no-such-listener'
    else s.name += '-not-there'
    n++
  }
  for (const r of doc.rejected ?? []) {
    r.field = 'spec.no.such.field'
    n++
  }
  return n
}

const BASE = join(DEFAULT_FIXTURES, 'base/manifests.yaml')
const NS = 'gateway-conformance-infra'

const route = (name, spec) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: NS },
  spec,
})

const RESOURCES = [
  route('split', {
    parentRefs: [{ name: 'same-namespace' }],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: '/split' } }],
        backendRefs: [
          { name: 'infra-backend-v1', port: 8080, weight: 3 },
          { name: 'infra-backend-v2', port: 8080, weight: 0 },
          { name: 'missing-a', port: 8080, weight: 1 },
          { name: 'missing-b', port: 8080, weight: 2 },
        ],
      },
    ],
  }),
  route('secure', {
    parentRefs: [{ name: 'same-namespace-with-https-listener', sectionName: 'https' }],
    rules: [{ backendRefs: [{ name: 'infra-backend-v1', port: 8080 }] }],
  }),
  route('bad-path', {
    parentRefs: [{ name: 'same-namespace' }],
    rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/a//b' } }] }],
  }),
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'bad-in-default' },
    spec: { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/a//b' } }] }] },
  },
]

const gw = `${NS}/same-namespace`
const EDGES = {
  'pass.yaml': {
    name: 'edges that pass',
    include: [BASE],
    resources: RESOURCES,
    requests: [
      {
        name: 'invalid shares given as several entries add up; zero weights are left out',
        gateway: gw,
        path: '/split',
        expect: {
          backends: [
            { name: 'infra-backend-v1', port: 8080, weight: 3 },
            { name: 'infra-backend-v2', port: 8080, weight: 0 },
            { status: 500, weight: 1 },
            { status: 500, weight: 2 },
          ],
        },
      },
      {
        name: 'HTTPS defaults to port 443 and the SNI to the host without its port',
        gateway: `${NS}/same-namespace-with-https-listener`,
        protocol: 'HTTPS',
        host: 'example.org:443',
        expect: { backend: { name: 'infra-backend-v1', port: 8080 }, listener: 'https', route: `${NS}/secure` },
      },
      { name: 'a port with no listener refuses a TCP connection', gateway: gw, protocol: 'TCP', port: 9999, expect: { status: 'reject' } },
      {
        name: 'a gRPC call with no GRPCRoute is answered 404',
        gateway: gw,
        protocol: 'GRPC',
        grpc: { service: 'com.example.User', method: 'Login' },
        expect: { status: 404 },
      },
    ],
    status: [
      { kind: 'GatewayClass', name: 'gatewise', conditions: [{ type: 'Accepted', status: true }] },
      {
        kind: 'Gateway',
        namespace: NS,
        name: 'same-namespace',
        listeners: [{ name: 'http', supportedKinds: [{ kind: 'HTTPRoute' }] }],
      },
      { kind: 'HTTPRoute', namespace: NS, name: 'split', parents: [{ parentRef: { name: 'same-namespace' } }] },
    ],
    rejected: [
      { kind: 'HTTPRoute', namespace: NS, name: 'bad-path', field: 'spec.rules[0]' },
      { kind: 'HTTPRoute', name: 'bad-in-default' },
    ],
  },
  'fail.yaml': {
    name: 'edges that fail',
    include: [BASE],
    resources: RESOURCES,
    requests: [
      {
        name: 'the invalid share has the wrong weight',
        gateway: gw,
        path: '/split',
        expect: { backends: [{ name: 'infra-backend-v1', port: 8080, weight: 3 }, { status: 500, weight: 2 }] },
      },
      { name: 'TCP needs a port', gateway: gw, protocol: 'TCP', expect: { status: 'reject' } },
      {
        name: 'two outcomes',
        gateway: gw,
        path: '/split',
        expect: { status: 500, backend: { name: 'infra-backend-v1', port: 8080 } },
      },
      { name: 'no namespace in gateway', gateway: 'same-namespace', expect: { status: 404 } },
    ],
    status: [
      { kind: 'HTTPRoute', namespace: NS, name: 'split', parents: [{ parentRef: { name: 'same-namespace', sectionName: 'nope' } }] },
      { kind: 'Gateway', namespace: NS, name: 'same-namespace', listeners: [{ name: 'http', supportedKinds: [] }] },
      { kind: 'GatewayClass', name: 'gatewise', conditions: [{ type: 'Accepted', status: 'True', reason: 'Other' }] },
    ],
    rejected: [
      { kind: 'HTTPRoute', namespace: NS, name: 'bad-path', field: 'spec.rules[0].matches[0].path.val' },
      { kind: 'HTTPRoute', namespace: NS, name: 'split' },
    ],
  },
  'not-a-fixture.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: y}\n',
  'malformed/unknown-key.yaml': {
    name: 'unknown key',
    requests: [{ name: 'x', gateway: gw, expect: { status: 404 }, expcet: {} }],
  },
  'malformed/bad-protocol.yaml': {
    name: 'bad protocol',
    requests: [{ name: 'x', gateway: gw, protocol: 'http', expect: { status: 404 } }],
  },
}
