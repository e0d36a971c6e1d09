// The cost of one `route` call from Node next to the Rust call, on the same
// manifests and request. Not a test: run it with `npm run bench` (which builds
// the addon in release mode first), or `node bench/route.mjs` after
// `npm run build:release`.

import { execFileSync } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

import { loadPaths } from 'gatewise'

const here = dirname(fileURLToPath(import.meta.url))
const workspace = resolve(here, '../..')
const FILE = resolve(workspace, 'examples/quickstart.yaml')
const REQUEST = { gateway: 'infra/gateway', host: 'shop.example.com', path: '/api/v2/cart' }
const BATCHES = 15
const PER_BATCH = 20_000

/** Nanoseconds per call of `f`: the median over batches, after a warm-up. */
function median(f) {
  for (let i = 0; i < PER_BATCH; i++) f()
  const samples = []
  for (let b = 0; b < BATCHES; b++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < PER_BATCH; i++) f()
    samples.push(Number(process.hrtime.bigint() - start) / PER_BATCH)
  }
  samples.sort((a, b) => a - b)
  return samples[BATCHES >> 1]
}

/** The Rust measurement's executable (`cargo bench --no-run` builds it). */
function rustBench() {
  const out = execFileSync(
    'cargo',
    ['bench', '--no-run', '--quiet', '--locked', '-p', 'gatewise-node', '--bench', 'route', '--message-format=json'],
    { cwd: workspace, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
  )
  const artifact = out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .find((m) => m.reason === 'compiler-artifact' && m.target?.name === 'route' && m.executable)
  if (!artifact) throw new Error('cargo bench --no-run built no route executable')
  return artifact.executable
}

const router = loadPaths(FILE)
const bench = rustBench()
// Node and Rust take turns, so that a busy machine weighs on both alike; each
// figure is the median over the rounds.
const ROUNDS = 5
const rounds = { rustRoute: [], rustView: [], node: [], explain: [] }
let sink
for (let r = 0; r < ROUNDS; r++) {
  const rust = JSON.parse(
    execFileSync(bench, [FILE, REQUEST.gateway, REQUEST.host, REQUEST.path], { encoding: 'utf8' }),
  )
  if (rust.kind !== router.route(REQUEST).kind) throw new Error('Rust and Node decide differently')
  rounds.rustRoute.push(rust.routeNs)
  rounds.rustView.push(rust.routeAndViewNs)
  rounds.node.push(median(() => (sink = router.route(REQUEST))))
  rounds.explain.push(median(() => (sink = router.explain(REQUEST))))
}
if (sink === undefined) throw new Error('unreachable')
const mid = (list) => [...list].sort((a, b) => a - b)[list.length >> 1]
const [rustRoute, rustView, node, explain] = [rounds.rustRoute, rounds.rustView, rounds.node, rounds.explain].map(mid)

const f = (ns) => `${ns.toFixed(0).padStart(7)} ns`
console.log(`one route call: ${REQUEST.host}${REQUEST.path} on ${REQUEST.gateway} (${router.route(REQUEST).kind}), ${FILE}`)
console.log(`  Rust  Router::route            ${f(rustRoute)}`)
console.log(`  Rust  Router::route + view()   ${f(rustView)}`)
console.log(`  Node  router.route(request)    ${f(node)}   ${(node / rustView).toFixed(1)} x Rust route + view`)
console.log(`  Node  router.explain(request)  ${f(explain)}`)
console.log(`(medians of ${ROUNDS} rounds, each the median of ${BATCHES} batches of ${PER_BATCH} calls; node ${process.version})`)
