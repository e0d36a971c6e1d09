// The spec fixture format (../../../../shared/spec/fixture-format.md, v1),
// read and run through the public API of the `gatewise` package. Written in JS
// against the format's text, not by calling the Rust runner; where the text
// leaves a detail open, it follows spec-fixtures/src/compare.rs so that every
// case has the same outcome in every language (test/agreement.test.mjs checks
// that against `gatewise fixtures -o json`).

import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import YAML from 'yaml'

import { GatewiseLoadError, load } from '../../index.mjs'

const here = dirname(fileURLToPath(import.meta.url))

/** The repository's fixture folder. */
export const DEFAULT_FIXTURES = resolve(here, '../../../spec-fixtures/fixtures')

/** The group of the Gateway API's kinds. */
const GATEWAY_GROUP = 'gateway.networking.k8s.io'

/** `creationTimestamp`-free objects are created from this instant; status
 * conditions use it as `lastTransitionTime` (the Rust runner's choice). */
const EPOCH = Date.parse('2024-01-01T00:00:00Z')

/** Fixture paths: `GATEWISE_FIXTURES` (separated by `:`) or the repository's. */
export function fixturePaths(env = process.env) {
  const list = env.GATEWISE_FIXTURES
  if (list === undefined || list === '') return [DEFAULT_FIXTURES]
  return list.split(':').filter((p) => p !== '').map((p) => resolve(p))
}

// ---------------------------------------------------------------------------
// Discovery

/**
 * Every fixture under `paths` (files, or folders scanned recursively for
 * `*.yaml` / `*.yml`; YAML files there that are not fixtures are manifests and
 * are passed over). Returns `{fixtures: [{file, fixture}], malformed: [{file,
 * line, message}]}`; a fixture name used by an earlier file makes the later one
 * malformed.
 */
export function discover(paths) {
  const fixtures = []
  const malformed = []
  const names = new Map()
  for (const path of paths) {
    let files
    let explicit
    try {
      if (statSync(path).isFile()) {
        files = [path]
        explicit = true
      } else {
        files = walk(path).sort(comparePaths)
        explicit = false
      }
    } catch (e) {
      malformed.push({ file: path, line: null, message: `cannot read ${path}: ${e.message}` })
      continue
    }
    for (const file of files) {
      const parsed = parseFile(file, explicit)
      if (parsed.kind === 'not a fixture') continue
      if (parsed.kind === 'malformed') {
        malformed.push({ file, line: parsed.line, message: parsed.message })
        continue
      }
      const first = names.get(parsed.fixture.name)
      if (first !== undefined) {
        if (first !== file) {
          malformed.push({
            file,
            line: null,
            message: `fixture name ${JSON.stringify(parsed.fixture.name)} is also used by ${first}`,
          })
        }
        continue
      }
      names.set(parsed.fixture.name, file)
      fixtures.push({ file, fixture: parsed.fixture })
    }
  }
  return { fixtures, malformed }
}

function walk(dir) {
  const out = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...walk(path))
    else if (/\.ya?ml$/.test(entry.name)) out.push(path)
  }
  return out
}

/** Paths compared component by component, as Rust sorts them. */
function comparePaths(a, b) {
  const x = a.split('/')
  const y = b.split('/')
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1
  }
  return x.length - y.length
}

/** A file found in a folder that is not shaped like a fixture (a mapping with
 * `name` and one of `requests`, `status`, `rejected`) is a manifest; a file
 * named explicitly must be a fixture. */
function parseFile(file, explicit) {
  let text
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    return { kind: 'malformed', line: null, message: `cannot read ${file}: ${e.message}` }
  }
  let doc
  let parsed = true
  try {
    doc = YAML.parse(text)
  } catch {
    parsed = false
  }
  const looksLikeFixture = parsed
    ? isMapping(doc) && 'name' in doc && ['requests', 'status', 'rejected'].some((k) => k in doc)
    : topLevelKeysLookLikeFixture(text)
  if (!looksLikeFixture) {
    if (explicit) {
      return {
        kind: 'malformed',
        line: 1,
        message:
          'not a fixture: the top level must be a mapping with `name` and at least one of `requests`, `status`, `rejected`',
      }
    }
    return { kind: 'not a fixture' }
  }
  if (!parsed) {
    try {
      YAML.parse(text)
    } catch (e) {
      return { kind: 'malformed', line: e.linePos?.[0]?.line ?? null, message: e.message }
    }
  }
  try {
    return { kind: 'fixture', fixture: readFixture(doc) }
  } catch (e) {
    if (e instanceof FormatError) return { kind: 'malformed', line: null, message: e.message }
    throw e
  }
}

/** A file that does not parse as one document: a multi-document manifest, or a
 * fixture with a syntax error; judged by its top-level keys. */
function topLevelKeysLookLikeFixture(text) {
  const lines = text.split('\n')
  if (lines.some((l) => l.trimEnd() === '---')) return false
  const key = (l, k) => l.startsWith(`${k}:`)
  return (
    lines.some((l) => key(l, 'name')) &&
    lines.some((l) => key(l, 'requests') || key(l, 'status') || key(l, 'rejected'))
  )
}

// ---------------------------------------------------------------------------
// The format, checked: unknown keys and wrong types make a file malformed.

class FormatError extends Error {}

function isMapping(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** Reads a mapping with exactly the keys of `shape` (`key: [required, read]`). */
function record(value, at, shape) {
  if (!isMapping(value)) throw new FormatError(`${at}: expected a mapping`)
  for (const key of Object.keys(value)) {
    if (!(key in shape)) {
      throw new FormatError(
        `${at}: unknown field \`${key}\`, expected one of ${Object.keys(shape).map((k) => `\`${k}\``).join(', ')}`,
      )
    }
  }
  const out = {}
  for (const [key, [required, read]] of Object.entries(shape)) {
    const v = value[key]
    if (v === undefined || v === null) {
      if (required) throw new FormatError(`${at}: missing field \`${key}\``)
      continue
    }
    out[key] = read(v, `${at}.${key}`)
  }
  return out
}

const req = (read) => [true, read]
const opt = (read) => [false, read]

function str(v, at) {
  if (typeof v === 'string') return v
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  throw new FormatError(`${at}: expected a string`)
}

function int(max) {
  return (v, at) => {
    if (Number.isInteger(v) && v >= 0 && v <= max) return v
    throw new FormatError(`${at}: expected an integer from 0 to ${max}`)
  }
}
const u16 = int(65535)
const u32 = int(4294967295)

function float(v, at) {
  if (typeof v === 'number') return v
  throw new FormatError(`${at}: expected a number`)
}

function list(read) {
  return (v, at) => {
    if (!Array.isArray(v)) throw new FormatError(`${at}: expected a list`)
    return v.map((item, i) => read(item, `${at}[${i}]`))
  }
}

function any(v) {
  return v
}

/** A string YAML may have written as a number or boolean (`value: 2`); an
 * unquoted boolean is spelt as conditions spell it (`True`). */
function scalar(v, at) {
  if (typeof v === 'string') return v
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  throw new FormatError(`${at}: expected a scalar`)
}

function scalarMap(v, at) {
  if (!isMapping(v)) throw new FormatError(`${at}: expected a mapping`)
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scalar(x, `${at}.${k}`)]))
}

const PROTOCOLS = ['HTTP', 'HTTPS', 'GRPC', 'TLS', 'TCP', 'UDP']

function protocol(v, at) {
  if (PROTOCOLS.includes(v)) return v
  throw new FormatError(`${at}: unknown protocol ${JSON.stringify(v)}, expected one of ${PROTOCOLS.join(', ')}`)
}

/** `status: 404` or `status: reject`. */
function statusExpect(v, at) {
  const s = scalar(v, at)
  if (s === 'reject') return 'reject'
  if (/^\+?[0-9]+$/.test(s) && Number(s) <= 65535) return Number(s)
  throw new FormatError(`${at}: expect.status must be an HTTP status or \`reject\`, found ${JSON.stringify(s)}`)
}

/** `HTTPRoute` or `{group, kind}` (other keys allowed, as in the Rust reader). */
function kindExpect(v, at) {
  if (typeof v === 'string') return { group: GATEWAY_GROUP, kind: v }
  if (isMapping(v) && typeof v.kind === 'string') {
    return { group: v.group == null ? GATEWAY_GROUP : str(v.group, `${at}.group`), kind: v.kind }
  }
  throw new FormatError(`${at}: expected a kind or {group, kind}`)
}

const condition = (v, at) => record(v, at, { type: req(str), status: req(scalar), reason: opt(str) })
const headerCase = (v, at) => record(v, at, { name: req(str), value: req(scalar) })
const backendRef = (v, at) => record(v, at, { namespace: opt(str), name: req(str), port: req(u16) })

function readFixture(doc) {
  return record(doc, 'fixture', {
    name: req(str),
    description: opt(str),
    features: opt(list(str)),
    source: opt(str),
    include: opt(list(str)),
    resources: opt(list(any)),
    controllerName: opt(str),
    requests: opt(
      list((v, at) =>
        record(v, at, {
          name: req(str),
          gateway: req(str),
          port: opt(u16),
          protocol: opt(protocol),
          method: opt(str),
          host: opt(str),
          sni: opt(str),
          path: opt(str),
          grpc: opt((g, a) => record(g, a, { service: req(str), method: req(str) })),
          headers: opt(list(headerCase)),
          backendResponse: opt((b, a) => record(b, a, { headers: opt(scalarMap) })),
          expect: req((e, a) =>
            record(e, a, {
              backend: opt(backendRef),
              backends: opt(
                list((w, x) =>
                  record(w, x, {
                    namespace: opt(str),
                    name: opt(str),
                    port: opt(u16),
                    weight: opt(u32),
                    status: opt(u16),
                  }),
                ),
              ),
              status: opt(statusExpect),
              redirect: opt((r, x) => record(r, x, { status: req(u16), location: req(str) })),
              request: opt((r, x) =>
                record(r, x, {
                  host: opt(str),
                  path: opt(str),
                  headers: opt(scalarMap),
                  absentHeaders: opt(list(str)),
                }),
              ),
              response: opt((r, x) =>
                record(r, x, { headers: opt(scalarMap), absentHeaders: opt(list(str)) }),
              ),
              mirrors: opt(
                list((m, x) =>
                  record(m, x, { namespace: opt(str), name: req(str), port: req(u16), percent: opt(float) }),
                ),
              ),
              listener: opt(str),
              route: opt(str),
            }),
          ),
        }),
      ),
    ),
    status: opt(
      list((v, at) =>
        record(v, at, {
          kind: req(str),
          namespace: opt(str),
          name: req(str),
          conditions: opt(list(condition)),
          listeners: opt(
            list((l, a) =>
              record(l, a, {
                name: req(str),
                attachedRoutes: opt(u32),
                supportedKinds: opt(list(kindExpect)),
                conditions: opt(list(condition)),
              }),
            ),
          ),
          parents: opt(
            list((p, a) =>
              record(p, a, {
                parentRef: req((r, x) =>
                  record(r, x, {
                    group: opt(str),
                    kind: opt(str),
                    namespace: opt(str),
                    name: req(str),
                    sectionName: opt(str),
                    port: opt(u16),
                  }),
                ),
                conditions: opt(list(condition)),
              }),
            ),
          ),
          attachedListenerSets: opt(u32),
        }),
      ),
    ),
    rejected: opt(
      list((v, at) =>
        record(v, at, { kind: req(str), namespace: opt(str), name: req(str), field: opt(str) }),
      ),
    ),
  })
}

// ---------------------------------------------------------------------------
// Running

/** Names of every case, in order: requests, status, rejected (as the Rust
 * runner names them). */
export function caseNames(fixture) {
  const object = (kind, ns, name) => (ns === undefined ? `${kind} ${name}` : `${kind} ${ns}/${name}`)
  return [
    ...(fixture.requests ?? []).map((r) => ({ kind: 'request', name: r.name, spec: r })),
    ...(fixture.status ?? []).map((s) => ({
      kind: 'status',
      name: `status of ${object(s.kind, s.namespace, s.name)}`,
      spec: s,
    })),
    ...(fixture.rejected ?? []).map((r) => ({
      kind: 'rejected',
      name: `rejects ${object(r.kind, r.namespace, r.name)}`,
      spec: r,
    })),
  ]
}

/** Loads a fixture's resources: includes first, relative to the file, then
 * the inline resources, through one load so that default creation times follow
 * the order of appearance. Throws `GatewiseLoadError`. */
export function loadFixture(file, fixture) {
  const sources = (fixture.include ?? []).map((p) => ({ path: resolve(dirname(file), p) }))
  if (fixture.resources !== undefined) sources.push({ object: fixture.resources, source: file })
  return load(sources, { controllerName: fixture.controllerName, now: EPOCH })
}

/** The `RouteRequest` of a `requests` case. */
export function requestOf(c) {
  return {
    gateway: c.gateway,
    port: c.port,
    protocol: c.protocol,
    host: c.host,
    sni: c.sni,
    method: c.method,
    path: c.path,
    grpc: c.grpc,
    headers: (c.headers ?? []).map((h) => [h.name, h.value]),
    backendResponse: { headers: Object.entries(c.backendResponse?.headers ?? {}) },
  }
}

/**
 * Loads a fixture's resources and returns a function that runs one case:
 * `null` when it passes, else what was expected and what came.
 */
export function prepare(file, fixture) {
  let router
  try {
    router = loadFixture(file, fixture)
  } catch (e) {
    if (!(e instanceof GatewiseLoadError)) throw e
    const message = `resources failed to load: ${e.message}`
    return () => message
  }
  const status = router.status()
  const rejected = router.rejected()
  return (c) => {
    const problems =
      c.kind === 'request' ? checkRequest(router, c.spec) : c.kind === 'status' ? checkStatus(status, c.spec) : checkRejected(rejected, c.spec)
    return problems.length === 0 ? null : problems.join('; ')
  }
}

function checkRequest(router, c) {
  let decision
  try {
    decision = router.route(requestOf(c))
  } catch (e) {
    // A request the API refuses (no namespace/name, no port for TCP/UDP).
    return [e.message]
  }
  return checkDecision(c.expect, decision)
}

/** One weighted share, as text: services by namespace/name:port, the invalid
 * share as a whole. */
function share(s) {
  return s.invalid ? `status 500 (weight ${s.weight})` : `${s.namespace}/${s.name}:${s.port} (weight ${s.weight})`
}

function compareShares(a, b) {
  if (a.invalid !== b.invalid) return a.invalid ? 1 : -1
  const x = [a.namespace, a.name, a.port, a.weight]
  const y = [b.namespace, b.name, b.port, b.weight]
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1
  return 0
}

/** The decision's shares: zero weights dropped, invalid backends summed. */
function shares(backends) {
  const out = []
  let invalid = 0
  for (const b of backends ?? []) {
    if (!(b.weight > 0)) continue
    if (b.namespace !== undefined && b.name !== undefined && b.port !== undefined && b.status === undefined) {
      out.push({ invalid: false, namespace: b.namespace, name: b.name, port: b.port, weight: b.weight })
    } else {
      invalid += b.weight
    }
  }
  if (invalid > 0) out.push({ invalid: true, weight: invalid })
  return out.sort(compareShares)
}

/** A decision in a few words, for "got ..." messages. */
export function describe(d) {
  let s
  switch (d.kind) {
    case 'forward': {
      const list = shares(d.backends)
      s = list.length === 0 ? 'forward to no backend' : `forward to ${list.map(share).join(', ')}`
      break
    }
    case 'redirect':
      s = `redirect ${d.status} to ${d.location}`
      break
    case 'respond':
      s = `status ${d.status} (${d.reason})`
      break
    case 'reject':
      s = `reject (${d.reason})`
      break
    default:
      s = d.kind
  }
  if (d.route !== undefined) s += ` by ${d.route.namespace}/${d.route.name}`
  return s
}

function checkDecision(expect, d) {
  const outcomes = ['backend', 'backends', 'status', 'redirect'].filter((k) => expect[k] !== undefined).length
  if (outcomes !== 1) {
    return [`expect must hold exactly one of backend, backends, status, redirect (found ${outcomes})`]
  }
  const got = describe(d)
  const routeNs = d.route?.namespace ?? ''
  const backends = d.backends ?? []
  const problems = []

  if (expect.backend !== undefined) {
    const b = expect.backend
    const ns = b.namespace ?? routeNs
    const only = backends[0]
    const ok =
      d.kind === 'forward' &&
      backends.length === 1 &&
      only.status === undefined &&
      only.namespace === ns &&
      only.name === b.name &&
      only.port === b.port
    if (!ok) problems.push(`expected forward to ${ns}/${b.name}:${b.port}, got ${got}`)
  }
  if (expect.backends !== undefined) {
    const want = []
    let invalid = 0
    for (const e of expect.backends) {
      const weight = e.weight ?? 1
      if (e.status !== undefined) invalid += weight
      else if (e.name !== undefined && e.port !== undefined) {
        if (weight > 0) {
          want.push({ invalid: false, namespace: e.namespace ?? routeNs, name: e.name, port: e.port, weight })
        }
      } else problems.push('a backends entry needs name and port, or status: 500')
    }
    if (invalid > 0) want.push({ invalid: true, weight: invalid })
    want.sort(compareShares)
    const have = shares(backends)
    const same = want.length === have.length && want.every((w, i) => compareShares(w, have[i]) === 0)
    if (d.kind !== 'forward' || !same) {
      problems.push(`expected forward to [${want.map(share).join(', ')}], got ${got}`)
    }
  }
  if (expect.status !== undefined) {
    const s = expect.status
    const ok =
      s === 'reject'
        ? d.kind === 'reject'
        : (d.kind === 'respond' && d.status === s) ||
          // A forward whose every share is invalid answers 500.
          (s === 500 && d.kind === 'forward' && backends.every((b) => b.status !== undefined))
    if (!ok) problems.push(`expected ${s === 'reject' ? 'reject' : `status ${s}`}, got ${got}`)
  }
  if (expect.redirect !== undefined) {
    const r = expect.redirect
    if (!(d.kind === 'redirect' && d.status === r.status && d.location === r.location)) {
      problems.push(`expected redirect ${r.status} to ${r.location}, got ${got}`)
    }
  }
  if (expect.request !== undefined) {
    const r = expect.request
    const up = d.request
    if (up === undefined) problems.push(`expected an upstream request, got ${got}`)
    else {
      if (r.host !== undefined && up.host !== r.host) {
        problems.push(`request host: expected ${JSON.stringify(r.host)}, got ${JSON.stringify(up.host)}`)
      }
      if (r.path !== undefined && up.path !== r.path) {
        problems.push(`request path: expected ${JSON.stringify(r.path)}, got ${JSON.stringify(up.path)}`)
      }
      checkHeaders('request', up.headers, r.headers ?? {}, r.absentHeaders ?? [], problems)
    }
  }
  if (expect.response !== undefined) {
    const r = expect.response
    checkHeaders('response', d.responseHeaders ?? [], r.headers ?? {}, r.absentHeaders ?? [], problems)
  }
  if (expect.mirrors !== undefined) {
    const key = (m) => [m.namespace, m.name, m.port, m.percent]
    const order = (a, b) => {
      const x = key(a)
      const y = key(b)
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1
      return 0
    }
    const want = expect.mirrors
      .map((m) => ({ namespace: m.namespace ?? routeNs, name: m.name, port: m.port, percent: m.percent ?? 100 }))
      .sort(order)
    const have = (d.mirrors ?? []).map((m) => ({ ...m })).sort(order)
    const same =
      want.length === have.length &&
      want.every(
        (w, i) =>
          w.namespace === have[i].namespace &&
          w.name === have[i].name &&
          w.port === have[i].port &&
          Math.abs(w.percent - have[i].percent) < 1e-9,
      )
    if (!same) {
      const show = (l) =>
        l.map((m) => `${m.namespace}/${m.name}:${m.port}${Math.abs(m.percent - 100) < 1e-9 ? '' : ` (${m.percent}%)`}`).join(', ')
      problems.push(`mirrors: expected [${show(want)}], got [${show(have)}]`)
    }
  }
  if (expect.listener !== undefined && d.listener !== expect.listener) {
    problems.push(`listener: expected ${expect.listener}, got ${d.listener ?? 'none'}`)
  }
  if (expect.route !== undefined) {
    const have = d.route === undefined ? undefined : `${d.route.namespace}/${d.route.name}`
    if (have !== expect.route) problems.push(`route: expected ${expect.route}, got ${have ?? 'none'}`)
  }
  return problems
}

/** ASCII case folding (header names). */
function fold(s) {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase())
}

/** Header names compare case-insensitively, values exactly; several values of
 * one name compare joined by `,`. */
function checkHeaders(what, have, want, absent, problems) {
  const values = (name) => {
    const v = have.filter(([k]) => fold(k) === fold(name)).map(([, x]) => x)
    return v.length === 0 ? undefined : v.join(',')
  }
  for (const [name, value] of Object.entries(want)) {
    const v = values(name)
    if (v === undefined) problems.push(`${what} header ${name}: expected ${JSON.stringify(value)}, got none`)
    else if (v !== value) problems.push(`${what} header ${name}: expected ${JSON.stringify(value)}, got ${JSON.stringify(v)}`)
  }
  for (const name of absent) {
    const v = values(name)
    if (v !== undefined) problems.push(`${what} header ${name}: expected absent, got ${JSON.stringify(v)}`)
  }
}

/** A `status` case, against `Router.status()` (Kubernetes-shaped objects):
 * only the listed fields and conditions are checked. */
function checkStatus(objects, c) {
  const problems = []
  const notFor = (field) => problems.push(`${field} does not apply to kind ${c.kind}`)
  const clusterScoped = c.kind === 'GatewayClass'
  const ns = clusterScoped ? undefined : (c.namespace ?? 'default')
  const label = `${c.kind} ${ns === undefined ? '' : `${ns}/`}${c.name}`
  const object = objects.find(
    (o) => o.kind === c.kind && o.metadata.name === c.name && (clusterScoped || o.metadata.namespace === ns),
  )
  if (object === undefined) return [`no status for ${label} (not handled, or no status for its kind)`]
  const s = object.status
  if (Array.isArray(s.listeners)) {
    // A Gateway, or a ListenerSet (which has a Gateway's shape).
    checkConditions('', s.conditions, c.conditions ?? [], problems)
    for (const l of c.listeners ?? []) checkListener(s.listeners, l, problems)
    if (c.attachedListenerSets !== undefined && s.attachedListenerSets !== c.attachedListenerSets) {
      problems.push(
        `attachedListenerSets: expected ${c.attachedListenerSets}, got ${s.attachedListenerSets ?? 'none (not reported)'}`,
      )
    }
    if ((c.parents ?? []).length > 0) notFor('parents')
  } else if (Array.isArray(s.parents)) {
    // A route of any kind.
    for (const p of c.parents ?? []) checkParent(ns, s.parents, p, problems)
    if ((c.conditions ?? []).length > 0) notFor('conditions')
    if ((c.listeners ?? []).length > 0) notFor('listeners')
  } else {
    // A GatewayClass.
    checkConditions('', s.conditions ?? [], c.conditions ?? [], problems)
    if ((c.listeners ?? []).length > 0) notFor('listeners')
    if ((c.parents ?? []).length > 0) notFor('parents')
  }
  return problems
}

function checkConditions(prefix, have, want, problems) {
  const show = (c) => `${c.type}=${c.status}/${c.reason}`
  for (const w of want) {
    const c = have.find((h) => h.type === w.type)
    if (c === undefined) {
      problems.push(`${prefix}condition ${w.type} missing (got ${have.map(show).join(', ')})`)
      continue
    }
    const reasonOk = w.reason === undefined || w.reason === c.reason
    if (c.status !== w.status || !reasonOk) {
      problems.push(
        `${prefix}condition ${w.type}: expected ${w.status}${w.reason === undefined ? '' : `/${w.reason}`}, got ${c.status}/${c.reason}`,
      )
    }
  }
}

function checkListener(have, want, problems) {
  const l = have.find((x) => x.name === want.name)
  if (l === undefined) {
    problems.push(`listener ${want.name} missing from status (got ${have.map((x) => x.name).join(', ')})`)
    return
  }
  if (want.attachedRoutes !== undefined && want.attachedRoutes !== l.attachedRoutes) {
    problems.push(`listener ${want.name} attachedRoutes: expected ${want.attachedRoutes}, got ${l.attachedRoutes}`)
  }
  if (want.supportedKinds !== undefined) {
    const show = () => l.supportedKinds.map((k) => k.kind).join(', ')
    if (want.supportedKinds.length === 0 && l.supportedKinds.length > 0) {
      problems.push(`listener ${want.name} supportedKinds: expected none, got [${show()}]`)
    }
    for (const k of want.supportedKinds) {
      if (!l.supportedKinds.some((s) => s.kind === k.kind && s.group === k.group)) {
        problems.push(`listener ${want.name} supportedKinds: expected ${k.kind}, got [${show()}]`)
      }
    }
  }
  checkConditions(`listener ${want.name} `, l.conditions, want.conditions ?? [], problems)
}

function checkParent(routeNs, have, want, problems) {
  const r = want.parentRef
  const group = r.group ?? GATEWAY_GROUP
  const kind = r.kind ?? 'Gateway'
  const ns = r.namespace ?? routeNs
  let label = `parent ${kind} ${ns}/${r.name}`
  if (r.sectionName !== undefined) label += ` section ${r.sectionName}`
  if (r.port !== undefined) label += ` port ${r.port}`
  const p = have.find(
    ({ parentRef: s }) =>
      s.group === group &&
      s.kind === kind &&
      s.namespace === ns &&
      s.name === r.name &&
      (s.sectionName ?? null) === (r.sectionName ?? null) &&
      (s.port ?? null) === (r.port ?? null),
  )
  if (p === undefined) {
    problems.push(`no status for ${label}`)
    return
  }
  checkConditions(`${label}: `, p.conditions, want.conditions ?? [], problems)
}

/** Whether `reported` equals `wanted` or lies beneath it at a path boundary
 * (`spec.rules[0]` covers `spec.rules[0].filters[1].type`, not
 * `spec.rules[01]`). */
export function fieldWithin(reported, wanted) {
  if (!reported.startsWith(wanted)) return false
  const rest = reported.slice(wanted.length)
  return rest === '' || rest.startsWith('.') || rest.startsWith('[')
}

function checkRejected(rejected, c) {
  const ns = ['GatewayClass', 'Namespace'].includes(c.kind) ? (c.namespace ?? '') : (c.namespace ?? 'default')
  const r = rejected.find((x) => x.object.kind === c.kind && x.object.namespace === ns && x.object.name === c.name)
  if (r === undefined) {
    return [`expected ${c.kind} ${ns === '' ? '' : `${ns}/`}${c.name} to be rejected, but it was not`]
  }
  if (c.field !== undefined && !r.errors.some((e) => fieldWithin(e.field, c.field))) {
    return [`expected a rejection at ${c.field}, got ${r.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`]
  }
  return []
}

/** Runs every case of every fixture under `paths`: `{cases: [{file, fixture,
 * kind, case, passed, message}], malformed}` (the shape of `gatewise fixtures
 * -o json`). */
export function runAll(paths) {
  const { fixtures, malformed } = discover(paths)
  const cases = []
  for (const { file, fixture } of fixtures) {
    const run = prepare(file, fixture)
    for (const c of caseNames(fixture)) {
      const message = run(c)
      cases.push({ file, fixture: fixture.name, kind: c.kind, case: c.name, passed: message === null, message: message ?? '' })
    }
  }
  return { cases, malformed }
}
