#!/usr/bin/env node
// An example tool on the public API of `gatewise`: reads a folder of manifests
// and prints, for each route, the listeners it attached to, the conditions of
// each of its parents and its lint findings; then the lint findings of other
// objects (Gateways, ReferenceGrants) and the objects the API server would
// refuse.
//
//   node examples/route-report.mjs FOLDER... [--controller-name NAME]
//
// Exits 1 when an object is rejected or not accepted (for CI), 2 when the
// manifests cannot be read.

import { GatewiseLoadError, loadPaths } from 'gatewise'

function main(argv) {
  const paths = []
  let controllerName
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--controller-name') controllerName = argv[++i]
    else paths.push(argv[i])
  }
  if (paths.length === 0 || controllerName === '') {
    console.error('usage: route-report.mjs FOLDER... [--controller-name NAME]')
    return 2
  }

  let router
  try {
    router = loadPaths(paths, { controllerName })
  } catch (e) {
    if (!(e instanceof GatewiseLoadError)) throw e
    for (const p of e.problems) console.error(`error: ${p.message}`)
    return 2
  }

  // Which listeners each route is attached to, from every Gateway's listeners.
  const attachedTo = new Map()
  for (const gateway of router.gateways()) {
    for (const listener of router.listeners(gateway)) {
      for (const r of listener.routes) {
        const key = `${r.kind} ${r.namespace}/${r.name}`
        if (!attachedTo.has(key)) attachedTo.set(key, [])
        attachedTo.get(key).push({ gateway, listener })
      }
    }
  }

  const findings = router.lint().findings
  const routes = router.status().filter((o) => 'parents' in o.status)
  if (routes.length === 0) console.log('no routes name a Gateway of ours')
  for (const route of routes) {
    const key = `${route.kind} ${route.metadata.namespace}/${route.metadata.name}`
    console.log(key)
    const listeners = attachedTo.get(key) ?? []
    if (listeners.length === 0) console.log('  attached to no listener')
    for (const { gateway, listener: l } of listeners) {
      const hostname = l.hostname === null ? 'any hostname' : l.hostname
      console.log(`  attached to ${gateway} listener ${l.name} (port ${l.port}, ${l.protocol ?? 'unsupported protocol'}, ${hostname})`)
    }
    for (const parent of route.status.parents) {
      const p = parent.parentRef
      let ref = `${p.kind} ${p.namespace}/${p.name}`
      if (p.sectionName !== undefined) ref += ` section ${p.sectionName}`
      if (p.port !== undefined) ref += ` port ${p.port}`
      console.log(`  parent ${ref}`)
      for (const c of parent.conditions) {
        console.log(`    ${c.type}=${c.status} (${c.reason}): ${c.message}`)
      }
    }
    const mine = lintFindings(findings, route.kind, route.metadata.namespace, route.metadata.name)
    if (mine.length === 0) console.log('  lint: no findings')
    for (const line of mine) console.log(`  lint: ${line}`)
  }
  const reported = new Set(routes.map((r) => `${r.kind} ${r.metadata.namespace}/${r.metadata.name}`))
  for (const f of findings) {
    const key = `${f.object.kind} ${f.object.namespace}/${f.object.name}`
    if (!reported.has(key)) console.log(`lint ${key}: ${describe(f)}`)
  }

  const rejected = router.rejected()
  for (const r of rejected) {
    const o = r.object
    const name = o.namespace === '' ? o.name : `${o.namespace}/${o.name}`
    for (const e of r.errors) {
      console.log(`rejected ${o.kind} ${name} (${r.location.source}:${r.location.line}): ${e.field}: ${e.message}`)
    }
  }
  return rejected.length > 0 || !router.allAccepted() ? 1 : 0
}

// The lint findings of one object, as lines of text.
function lintFindings(findings, kind, namespace, name) {
  return findings
    .filter((f) => f.object.kind === kind && f.object.namespace === namespace && f.object.name === name)
    .map(describe)
}

// `severity CODE name field: message (e.g. REQUEST)`.
function describe(f) {
  let line = `${f.severity} ${f.code} ${f.name} ${f.field}: ${f.message}`
  const ex = f.exampleRequest
  if (ex !== undefined) line += ` (e.g. ${ex.protocol} ${ex.host ?? ''}${ex.path ?? ''} at ${ex.gateway} port ${ex.port})`
  return line
}

process.exitCode = main(process.argv.slice(2))
