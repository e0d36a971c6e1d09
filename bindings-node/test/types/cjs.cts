// Type-checked by test/types.test.mjs (never run): the API as a CommonJS user
// sees it.
import gatewise = require('gatewise')

const router: gatewise.Router = gatewise.loadText('')
const d: gatewise.Decision = router.route({ gateway: 'ns/gw' })
if (d.kind === 'redirect') void d.location
const report: gatewise.DiffReport = gatewise.diff(router, router)
const lint: gatewise.LintReport = router.lint()
void [report.trafficChanges, lint.findings]
// @ts-expect-error no such export
gatewise.route
const isLoadError: boolean = new Error() instanceof gatewise.GatewiseLoadError
void isLoadError
