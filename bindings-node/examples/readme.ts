import { GatewiseLoadError, loadPaths } from 'gatewise'

try {
  const router = loadPaths('examples/')          // files and folders of manifests
  const request = { gateway: 'infra/gateway', host: 'shop.example.com', path: '/api/v2/cart' }
  const decision = router.route(request)
  if (decision.kind === 'forward') {
    for (const b of decision.backends ?? []) console.log(`${b.namespace}/${b.name}:${b.port}`)
  }
  console.log(router.explain(request).text)     // every candidate rule, and why
  console.log(router.rejected(), router.allAccepted())
} catch (e) {
  if (!(e instanceof GatewiseLoadError)) throw e
  console.error(`${e.source}:${e.line}: ${e.message}`)  // also e.kind, e.objectName, e.fieldPath
}
