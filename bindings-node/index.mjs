// The ESM entry: the same module as `index.js` (CommonJS), with named exports.
// Types: `index.d.ts`.
import { createRequire } from 'node:module'

const gatewise = createRequire(import.meta.url)('./index.js')

export const {
  GatewiseLoadError,
  Router,
  load,
  loadText,
  loadPaths,
  loadObjects,
  diff,
  __napiBindingTarget,
} = gatewise
export default gatewise
