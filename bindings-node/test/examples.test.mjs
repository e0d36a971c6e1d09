// The example tool, run as a user runs it.

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const TOOL = resolve(here, '../examples/route-report.mjs')
const EXAMPLES = resolve(here, '../../examples')

function report(...args) {
  return spawnSync(process.execPath, [TOOL, ...args], { encoding: 'utf8' })
}

describe('examples/route-report.mjs', () => {
  it('prints, for each route of examples/, its listeners, conditions and lint findings', () => {
    const r = report(EXAMPLES)
    assert.equal(r.stderr, '')
    assert.equal(r.status, 0)
    assert.equal(
      r.stdout,
      [
        'HTTPRoute shop/blog',
        '  attached to infra/gateway listener http (port 80, HTTP, *.example.com)',
        '  parent Gateway infra/gateway',
        '    Accepted=True (Accepted): accepted',
        '    ResolvedRefs=True (ResolvedRefs): all references resolved',
        '  lint: no findings',
        'HTTPRoute shop/store',
        '  attached to infra/gateway listener http (port 80, HTTP, *.example.com)',
        '  parent Gateway infra/gateway',
        '    Accepted=True (Accepted): accepted',
        '    ResolvedRefs=True (ResolvedRefs): all references resolved',
        '  lint: no findings',
        '',
      ].join('\n'),
    )
  })

  it('shows routes attached to no listener, rejected objects, and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatewise-node-report-'))
    try {
      writeFileSync(join(dir, 'base.yaml'), readFileSync(join(EXAMPLES, 'quickstart.yaml')))
      writeFileSync(
        join(dir, 'more.yaml'),
        `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: elsewhere, namespace: shop}
spec:
  parentRefs: [{name: gateway, namespace: infra, sectionName: https}]
  rules: [{backendRefs: [{name: api, port: 8080}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: broken, namespace: shop}
spec:
  parentRefs: [{name: gateway, namespace: infra}]
  rules: [{matches: [{path: {type: PathPrefix, value: /a//b}}]}]
`,
      )
      const r = report(dir)
      assert.equal(r.status, 1)
      assert.match(r.stdout, /^HTTPRoute shop\/elsewhere\n {2}attached to no listener\n {2}parent Gateway infra\/gateway section https\n {4}Accepted=False \(NoMatchingParent\)/m)
      assert.match(r.stdout, /^ {2}lint: error GW004 unresolved-parent spec\.parentRefs\[0\]\.sectionName: Gateway infra\/gateway does not accept the route/m)
      assert.match(r.stdout, /^rejected HTTPRoute shop\/broken \(.*more\.yaml:8\): spec\.rules\[0\]\.matches\[0\]\.path\.value: /m)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('prints the lint findings of routes with their example requests, and of other objects', () => {
    const lint = resolve(here, '../../testdata/lint')
    const r = report(join(lint, 'base.yaml'), join(lint, 'codes/GW001-shadowed-rule.yaml'), join(lint, 'codes/GW006-unused-reference-grant.yaml'))
    assert.equal(r.stderr, '')
    assert.equal(r.status, 0)
    assert.match(
      r.stdout,
      /^HTTPRoute shop\/web\n(?: {2}.*\n)* {2}lint: warning GW001 shadowed-rule spec\.rules\[1\]\.matches\[0\]: this match \(PathPrefix \/api\) never wins .* \(e\.g\. HTTP test\.example\.com\/api at infra\/gw port 80\)$/m,
    )
    assert.match(r.stdout, /^lint ReferenceGrant billing\/from-shop: warning GW006 unused-reference-grant spec: /m)
  })

  it('reports manifests it cannot read and exits 2', () => {
    const r = report('/no/such/folder')
    assert.equal(r.status, 2)
    assert.match(r.stderr, /^error: cannot read \/no\/such\/folder/)
  })
})
