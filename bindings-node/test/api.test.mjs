// The package's API: entry points, loading, errors, status, routing, explain.

import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

import YAML from 'yaml'

import * as esm from 'gatewise'
import gatewiseDefault, { GatewiseLoadError, load, loadObjects, loadPaths, loadText } from 'gatewise'

import { gatewise } from './support/cli.mjs'

const require = createRequire(import.meta.url)
const cjs = require('gatewise')
const here = fileURLToPath(new URL('.', import.meta.url))
const EXAMPLES = resolve(here, '../../examples')

const MANIFESTS = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewise}
spec: {controllerName: gatewise.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: gatewise
  listeners:
  - {name: http, port: 80, protocol: HTTP}
  - {name: custom, port: 9000, protocol: example.com/custom}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: infra}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  hostnames: [example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api}, headers: [{name: x-version, value: "2"}]}]
    backendRefs: [{name: api-v2, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /api}}]
    filters:
    - {type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: x-via, value: gatewise}]}}
    - {type: ResponseHeaderModifier, responseHeaderModifier: {remove: [server]}}
    backendRefs: [{name: api, port: 8080}]
  - matches: [{path: {type: Exact, value: /old}}]
    filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplaceFullPath, replaceFullPath: /new}, statusCode: 301}}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: infra}
spec: {ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: api-v2, namespace: infra}
spec: {ports: [{port: 8080}]}
`

const BAD_ROUTE = `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: bad, namespace: infra}
spec:
  parentRefs: [{name: gw}]
  rules: [{matches: [{path: {type: PathPrefix, value: /a//b}}]}]
`

/** The value exports `index.d.ts` declares. */
function declaredValues() {
  const dts = readFileSync(resolve(here, '../index.d.ts'), 'utf8')
  return [...dts.matchAll(/^export declare (?:function|class|const) (\w+)/gm)].map((m) => m[1]).sort()
}

describe('entry points', () => {
  it('CommonJS and ESM export the same values, the ones index.d.ts declares', () => {
    const values = declaredValues()
    assert.deepEqual(Object.keys(cjs).sort(), values)
    assert.deepEqual(Object.keys(esm).filter((k) => k !== 'default').sort(), values)
    for (const name of values) assert.equal(esm[name], cjs[name], name)
    assert.equal(gatewiseDefault, cjs)
  })

  it('index.d.ts is the generated file, with the hand-written header first', () => {
    const dts = readFileSync(resolve(here, '../index.d.ts'), 'utf8')
    const header = readFileSync(resolve(here, '../dts-header.d.ts'), 'utf8')
    assert.ok(dts.startsWith(header))
    assert.match(dts, /export declare class Router/)
    assert.match(dts, /export type Protocol = 'HTTP' \| 'HTTPS' \| 'GRPC' \| 'TLS' \| 'TCP' \| 'UDP'/)
  })
})

describe('loading', () => {
  it('loadText reads YAML with the default controller name', () => {
    const r = loadText(MANIFESTS)
    assert.equal(r.controllerName, 'gatewise.dev/gateway-controller')
    assert.deepEqual(r.gateways(), ['infra/gw'])
    assert.deepEqual(r.rejected(), [])
    assert.equal(r.allAccepted(), false, 'a listener of an unknown protocol is not accepted')
  })

  it('loadText reads JSON, and controllerName picks the GatewayClasses', () => {
    const objects = loadText(MANIFESTS).status()
    assert.ok(objects.length > 0)
    const json = JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: [
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'other' }, spec: { controllerName: 'example.com/other' } },
      ],
    })
    assert.deepEqual(loadText(json).status(), [])
    const other = loadText(json, { controllerName: 'example.com/other' })
    assert.equal(other.controllerName, 'example.com/other')
    assert.deepEqual(other.status().map((o) => `${o.kind} ${o.metadata.name}`), ['GatewayClass other'])
  })

  it('loadObjects reads parsed objects as JSON.stringify writes them: Dates, undefined, class instances', () => {
    class Meta {
      constructor(name, created) {
        this.name = name
        this.namespace = 'infra'
        this.creationTimestamp = created
        this.labels = undefined
      }
    }
    const route = (name, created, backend) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: new Meta(name, created),
      spec: { parentRefs: [{ name: 'gw', sectionName: 'http' }], rules: [{ backendRefs: [{ name: backend, port: 8080 }] }] },
      status: undefined,
    })
    // The older route wins a tie, whatever the order: `creationTimestamp` is a Date.
    const objects = [
      ...YAML.parseAllDocuments(MANIFESTS)
        .map((d) => d.toJS())
        .filter((o) => o.kind !== 'HTTPRoute'),
      route('newer', new Date('2024-05-01T00:00:00Z'), 'api'),
      route('older', new Date('2023-05-01T00:00:00Z'), 'api-v2'),
    ]
    const d = loadObjects(objects).route({ gateway: 'infra/gw', host: 'x.example.org' })
    assert.equal(d.kind, 'forward')
    assert.deepEqual(d.route, { kind: 'HTTPRoute', namespace: 'infra', name: 'older' })
    // One object, and a List.
    assert.deepEqual(loadObjects(objects[0]).status().map((o) => o.kind), ['GatewayClass'])
    const list = loadObjects({ apiVersion: 'v1', kind: 'List', items: objects })
    assert.equal(list.route({ gateway: 'infra/gw' }).route.name, 'older')
  })

  it('load reads several kinds of sources through one loader, later objects replacing earlier ones', () => {
    const replacement = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web', namespace: 'infra' },
      spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'api-v2', port: 8080 }] }] },
    }
    const r = load([{ text: MANIFESTS, source: 'base.yaml' }, { object: [replacement] }])
    const d = r.route({ gateway: 'infra/gw', host: 'anything', path: '/api' })
    assert.deepEqual(d.backends, [{ namespace: 'infra', name: 'api-v2', port: 8080, weight: 1 }])
    assert.equal(load({ text: MANIFESTS }).gateways().length, 1)
  })

  it('load refuses malformed sources (code InvalidArg)', () => {
    assert.throws(() => load([{ text: MANIFESTS, path: 'x' }]), { code: 'InvalidArg', message: /exactly one of text, path and object/ })
    assert.throws(() => load([{ txt: MANIFESTS }]), { code: 'InvalidArg', message: /unknown key "txt"/ })
    assert.throws(() => load([{ path: 3 }]), { code: 'InvalidArg' })
  })

  describe('loadPaths', () => {
    let dir
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'gatewise-node-paths-'))
      mkdirSync(join(dir, 'nested'))
      writeFileSync(join(dir, 'a.yaml'), MANIFESTS)
      writeFileSync(join(dir, 'nested', 'b.yml'), BAD_ROUTE)
      writeFileSync(join(dir, 'notes.txt'), 'not a manifest')
    })
    after(() => rmSync(dir, { recursive: true, force: true }))

    it('scans folders recursively for *.yaml, *.yml and *.json', () => {
      const r = loadPaths(dir)
      assert.deepEqual(r.rejected().map((x) => x.object.name), ['bad'])
      assert.equal(r.rejected()[0].location.source, join(dir, 'nested', 'b.yml'))
      assert.deepEqual(loadPaths([join(dir, 'a.yaml'), dir]).gateways(), ['infra/gw'])
    })

    it('gives the same content as gatewise check -o json', () => {
      for (const paths of [[EXAMPLES], [dir]]) {
        const now = new Date('2025-02-03T04:05:06Z')
        const report = loadPaths(paths, { now }).check()
        const cli = JSON.parse(gatewise(['check', '-o', 'json', ...paths]).stdout)
        assert.deepEqual(cli.errors, [])
        delete cli.errors
        assert.deepEqual(withTime(report, '2025-02-03T04:05:06Z'), withTime(cli, '2025-02-03T04:05:06Z'))
        assert.ok(JSON.stringify(report).includes('2025-02-03T04:05:06Z'))
      }
    })
  })
})

describe('load errors', () => {
  it('a document that is not YAML throws GatewiseLoadError with the place', () => {
    assert.throws(
      () => loadText(`${MANIFESTS}\n---\nkind: [\n`, { source: 'broken.yaml' }),
      (e) => {
        assert.ok(e instanceof GatewiseLoadError)
        assert.ok(e instanceof Error)
        assert.equal(e.name, 'GatewiseLoadError')
        assert.equal(e.code, 'GatewiseLoadError')
        assert.equal(e.source, 'broken.yaml')
        assert.equal(e.document, 5)
        assert.ok(e.line > 40, `line ${e.line}`)
        assert.equal(e.kind, null)
        assert.equal(e.fieldPath, null)
        assert.match(e.message, /^broken\.yaml:\d+ \(document 5\): invalid yaml/)
        assert.equal(e.problems.length, 1)
        assert.match(e.stack, /api\.test\.mjs/)
        return true
      },
    )
  })

  it('an object without apiVersion, and an unreadable path, throw', () => {
    assert.throws(() => loadObjects([{ kind: 'Service' }, 'text']), (e) => {
      assert.ok(e instanceof GatewiseLoadError)
      assert.deepEqual(
        e.problems.map((p) => [p.source, p.document, p.message.replace(/^.*?\): /, '')]),
        [
          ['<objects>', 1, 'expected a kubernetes object (a mapping), found a string'],
          ['<objects>', 0, 'apiVersion: required field is missing'],
        ],
      )
      assert.match(e.message, /found a string \(and 1 more\)$/)
      assert.equal(e.source, '<objects>')
      return true
    })
    assert.throws(() => loadPaths('/no/such/folder'), {
      name: 'GatewiseLoadError',
      source: '/no/such/folder',
      message: /cannot read \/no\/such\/folder/,
    })
  })

  it('with strict, a rejected object throws with kind, namespace, name, field path and place', () => {
    const text = `${MANIFESTS}\n---\n${BAD_ROUTE}`
    assert.equal(loadText(text).rejected().length, 1, 'without strict, it is data')
    assert.throws(
      () => loadText(text, { strict: true, source: 'routes.yaml' }),
      (e) => {
        assert.ok(e instanceof esm.GatewiseLoadError)
        assert.deepEqual(
          { kind: e.kind, namespace: e.namespace, objectName: e.objectName, fieldPath: e.fieldPath, source: e.source, document: e.document },
          { kind: 'HTTPRoute', namespace: 'infra', objectName: 'bad', fieldPath: 'spec.rules[0].matches[0].path.value', source: 'routes.yaml', document: 5 },
        )
        assert.match(e.message, /HTTPRoute infra\/bad rejected/)
        return true
      },
    )
  })

  it('bad options are argument errors, not load errors', () => {
    assert.throws(() => loadText(MANIFESTS, { now: Number.NaN }), { code: 'InvalidArg' })
    assert.throws(() => loadObjects(() => 1), { code: 'InvalidArg' })
  })
})

describe('status', () => {
  it('is Kubernetes-shaped, stamped with now', () => {
    const r = loadText(MANIFESTS, { now: Date.parse('2024-03-04T05:06:07Z') })
    const gw = r.status().find((o) => o.kind === 'Gateway')
    assert.equal(gw.apiVersion, 'gateway.networking.k8s.io/v1')
    assert.deepEqual(gw.metadata, { name: 'gw', namespace: 'infra' })
    const http = gw.status.listeners.find((l) => l.name === 'http')
    assert.equal(http.attachedRoutes, 1)
    assert.ok(http.supportedKinds.some((k) => k.group === 'gateway.networking.k8s.io' && k.kind === 'HTTPRoute'))
    assert.ok(gw.status.conditions.every((c) => c.lastTransitionTime === '2024-03-04T05:06:07Z'))
    const route = r.status().find((o) => o.kind === 'HTTPRoute')
    assert.deepEqual(route.status.parents[0].parentRef, {
      group: 'gateway.networking.k8s.io',
      kind: 'Gateway',
      namespace: 'infra',
      name: 'gw',
      sectionName: 'http',
    })
  })

  it('listeners name the routes attached to them, as many as attachedRoutes counts', () => {
    const r = loadText(MANIFESTS)
    const listeners = r.listeners('infra/gw')
    assert.deepEqual(listeners.map((l) => [l.name, l.port, l.protocol, l.routes.length]), [
      ['http', 80, 'HTTP', 1],
      ['custom', 9000, null, 0],
    ])
    assert.deepEqual(listeners[0].routes, [{ kind: 'HTTPRoute', namespace: 'infra', name: 'web' }])
    assert.deepEqual(r.listeners('infra/unknown'), [])
    const counts = r
      .status()
      .find((o) => o.kind === 'Gateway')
      .status.listeners.map((l) => [l.name, l.attachedRoutes])
    assert.deepEqual(counts, listeners.map((l) => [l.name, l.routes.length]))
  })
})

describe('route', () => {
  const r = loadText(MANIFESTS)

  it('forwards with the request as the backend receives it', () => {
    const d = r.route({ gateway: 'infra/gw', host: 'example.com', path: '/api/x?q=1' })
    assert.equal(d.kind, 'forward')
    assert.equal(d.protocol, 'HTTP')
    assert.equal(d.listener, 'http')
    assert.deepEqual(d.route, { kind: 'HTTPRoute', namespace: 'infra', name: 'web' })
    assert.equal(d.rule, 1)
    assert.equal(d.matchIndex, 0)
    assert.deepEqual(d.backends, [{ namespace: 'infra', name: 'api', port: 8080, weight: 1 }])
    assert.deepEqual(d.request, { method: 'GET', host: 'example.com', path: '/api/x?q=1', headers: [['x-via', 'gatewise']] })
  })

  it('takes headers as pairs or as a record, names in any case, repeated names joined', () => {
    const pairs = r.route({ gateway: 'infra/gw', host: 'example.com', path: '/api', headers: [['X-Version', '2']] })
    assert.equal(pairs.backends[0].name, 'api-v2')
    const record = r.route({ gateway: 'infra/gw', host: 'example.com', path: '/api', headers: { 'x-version': '2' } })
    assert.equal(record.backends[0].name, 'api-v2')
    // Repeated values match as joined with ',': "1,2" is not "2".
    const repeated = r.route({ gateway: 'infra/gw', host: 'example.com', path: '/api', headers: { 'x-version': ['1', '2'], b: 'x' } })
    assert.equal(repeated.backends[0].name, 'api')
    assert.deepEqual(repeated.request.headers, [['x-version', '1'], ['x-version', '2'], ['b', 'x'], ['x-via', 'gatewise']])
  })

  it('shows the response headers the client receives', () => {
    const d = r.route({
      gateway: 'infra/gw',
      host: 'example.com',
      path: '/api',
      backendResponse: { headers: { server: 'nginx', 'content-type': 'text/plain' } },
    })
    assert.deepEqual(d.responseHeaders, [['content-type', 'text/plain']])
  })

  it('redirects, answers 404 and refuses, returning data', () => {
    assert.deepEqual(
      pick(r.route({ gateway: 'infra/gw', host: 'example.com', path: '/old?x=1' }), ['kind', 'status', 'location']),
      { kind: 'redirect', status: 301, location: 'http://example.com/new?x=1' },
    )
    const miss = r.route({ gateway: 'infra/gw', host: 'other.org' })
    assert.equal(miss.kind, 'respond')
    assert.equal(miss.status, 404)
    assert.equal(typeof miss.reason, 'string')
    assert.equal(r.route({ gateway: 'infra/nope' }).kind, 'reject')
    assert.equal(r.route({ gateway: 'infra/gw', port: 81 }).kind, 'reject')
  })

  it('applies protocol defaults: ports, methods, gRPC paths', () => {
    const https = r.explain({ gateway: 'infra/gw', protocol: 'HTTPS', host: 'example.com:8443' })
    assert.equal(https.port, 443)
    assert.equal(https.sni, 'example.com')
    const grpc = r.explain({ gateway: 'infra/gw', protocol: 'GRPC', grpc: { service: 'a.B', method: 'C' } })
    assert.equal(grpc.port, 80)
    assert.equal(grpc.path, '/a.B/C')
    assert.equal(grpc.decision.kind, 'respond')
    assert.equal(typeof grpc.decision.grpcStatus, 'number')
    assert.equal(r.explain({ gateway: 'infra/gw' }).host, '192.0.2.1')
  })

  it('throws only for a malformed request', () => {
    assert.throws(() => r.route({ gateway: 'gw' }), { code: 'InvalidArg', message: /namespace\/name/ })
    assert.throws(() => r.route({ gateway: 'infra/gw', protocol: 'UDP' }), { code: 'InvalidArg', message: /port is required for UDP/ })
    assert.throws(() => r.route({ gateway: 'infra/gw', port: 70000 }), { code: 'InvalidArg' })
    assert.throws(() => r.route({ gateway: 'infra/gw', protocol: 'http' }), { code: 'InvalidArg' })
    assert.throws(() => r.route({}), { code: 'InvalidArg' })
  })

  it('route and explain give what gatewise route -o json gives', () => {
    const ex = loadPaths(EXAMPLES)
    const requests = [
      { gateway: 'infra/gateway', host: 'shop.example.com', path: '/api/v2/cart' },
      { gateway: 'infra/gateway', host: 'shop.example.com', path: '/api?x=1', headers: [['x-canary', 'true']] },
      { gateway: 'infra/gateway', host: 'shop.example.com', path: '/old-cart' },
      { gateway: 'infra/gateway', protocol: 'HTTPS', host: 'shop.example.com' },
      { gateway: 'infra/gateway', host: 'nowhere.org', method: 'POST' },
    ]
    for (const q of requests) {
      const args = ['route', EXAMPLES, '--gateway', q.gateway, '--host', q.host, '--path', q.path ?? '/', '--explain', '-o', 'json']
      if (q.protocol) args.push('--protocol', q.protocol)
      if (q.method) args.push('--method', q.method)
      for (const [k, v] of q.headers ?? []) args.push('--header', `${k}: ${v}`)
      const cli = JSON.parse(gatewise(args).stdout)
      assert.deepEqual(ex.route(q), cli.decision)
      const { text, ...explanation } = ex.explain(q)
      assert.deepEqual(explanation, cli.explanation)
      const cliText = gatewise(args.filter((a) => a !== '-o' && a !== 'json')).stdout
      assert.ok(cliText.includes(text), `${cliText}\n---\n${text}`)
    }
  })
})

describe('explain', () => {
  it('lists every candidate in precedence order, with the text', () => {
    const e = loadText(MANIFESTS).explain({ gateway: 'infra/gw', host: 'example.com', path: '/api' })
    assert.equal(e.decision.kind, 'forward')
    assert.equal(e.consistent, true)
    assert.deepEqual(e.candidates.map((c) => [c.rule, c.outcome]), [
      [2, 'mismatch'],
      [0, 'mismatch'],
      [1, 'won'],
    ])
    assert.equal(e.candidates[1].mismatch, 'header')
    assert.deepEqual(e.candidates[0].key.path, { type: 'Exact' })
    assert.deepEqual(e.candidates[2].key.path, { type: 'PathPrefix', length: 4 })
    assert.match(e.text, /WON/)
  })
})

function pick(o, keys) {
  return Object.fromEntries(keys.map((k) => [k, o[k]]))
}

/** A report with every `lastTransitionTime` set to `t` (the CLI stamps the
 * current time). */
function withTime(report, t) {
  return JSON.parse(JSON.stringify(report).replace(/"lastTransitionTime":"[^"]*"/g, `"lastTransitionTime":"${t}"`))
}
