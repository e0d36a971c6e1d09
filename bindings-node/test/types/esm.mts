// Type-checked by test/types.test.mjs (never run): the API as an ESM user
// sees it. Each `@ts-expect-error` proves a type is strict, not `any`.
import {
  GatewiseLoadError,
  diff,
  load,
  loadObjects,
  loadPaths,
  loadText,
  type Decision,
  type DiffReport,
  type Explanation,
  type LintCode,
  type LintReport,
  type ListenerInfo,
  type Protocol,
  type Router,
  type StatusObject,
} from 'gatewise'

const router: Router = loadText('kind: X', { controllerName: 'x', now: new Date(), strict: true, source: 's' })
loadPaths(['a', 'b'], { now: 0 })
loadObjects([{ kind: 'Service' }])
load([{ text: 'x', source: 'y' }, { path: ['a'] }, { object: {} }])
// @ts-expect-error a source is text, path or object
load([{ txt: 'x' }])

const protocols: Protocol[] = ['HTTP', 'HTTPS', 'GRPC', 'TLS', 'TCP', 'UDP']
// @ts-expect-error protocols are upper case
const lower: Protocol = 'http'

const d: Decision = router.route({
  gateway: 'ns/gw',
  protocol: protocols[0],
  headers: { a: 'b', c: ['d', 'e'] },
  grpc: { service: 's', method: 'm' },
  backendResponse: { headers: [['server', 'x']] },
})
switch (d.kind) {
  case 'forward': {
    const weight: number | undefined = d.backends?.[0]?.weight
    const headers: [string, string][] | undefined = d.request?.headers
    const listener: string = d.listener
    void [weight, headers, listener]
    break
  }
  case 'redirect': {
    const location: string = d.location
    void location
    break
  }
  case 'respond': {
    const status: number = d.status
    // @ts-expect-error a direct answer has no location
    void d.location
    void status
    break
  }
  case 'reject': {
    const reason: string = d.reason
    void reason
    break
  }
  default: {
    const never: never = d
    void never
  }
}
// @ts-expect-error gateway is required
router.route({ host: 'x' })

const e: Explanation = router.explain({ gateway: 'ns/gw' })
const text: string = e.text
const outcome: 'won' | 'lost' | 'mismatch' | undefined = e.candidates[0]?.outcome
void [text, outcome]

for (const o of router.status() satisfies StatusObject[]) {
  if (o.kind === 'Gateway') for (const l of o.status.listeners) void l.attachedRoutes
  else if (o.kind === 'GatewayClass') void o.status.conditions
  else if (o.kind === 'ListenerSet') void o.status.listeners
  else for (const p of o.status.parents) void p.parentRef.sectionName
}
const listeners: ListenerInfo[] = router.listeners('ns/gw')
void listeners[0]?.routes[0]?.kind
void router.check().rejected[0]?.errors[0]?.field

const lint: LintReport = router.lint({ allow: ['GW010', 'listener-without-routes'] })
for (const f of lint.findings) {
  const code: LintCode = f.code
  const severity: 'info' | 'warning' | 'error' = f.severity
  const example = f.exampleRequest
  if (example !== undefined) {
    router.route({ ...example, headers: example.headers?.map((h): [string, string] => [h.name, h.value]) })
  }
  void [code, severity, f.object.kind, f.field, f.related?.name]
}
// @ts-expect-error codes are GW001 to GW011
const badCode: LintCode = 'GW012'
void badCode
const changes: DiffReport = diff(router, loadPaths('b'))
for (const c of changes.trafficChanges) void [c.request.path, c.old.kind, c.new.kind, c.sources[0]?.version]
for (const c of changes.statusChanges) void [c.condition, c.old?.status, c.new?.reason]
void [changes.requestsChecked, changes.rejected.new]
// @ts-expect-error diff takes two routers
diff(router)

try {
  loadText('')
} catch (err) {
  if (err instanceof GatewiseLoadError) {
    const f: string | null = err.fieldPath
    const line: number | null = err.line
    void [f, line, err.problems[0]?.objectName]
  }
}
