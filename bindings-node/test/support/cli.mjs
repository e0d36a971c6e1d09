// The Rust CLI (`gatewise`), from the workspace's target directory, built if
// needed: the reference the Node results are compared with.

import { execFileSync, spawnSync } from 'node:child_process'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const WORKSPACE = resolve(here, '../../..')

let binary

/** The path of the `gatewise` binary, after `cargo build -p gatewise-cli`
 * (nothing to do when it is up to date). */
export function gatewiseBinary() {
  if (binary !== undefined) return binary
  const cargo = process.env.CARGO ?? 'cargo'
  execFileSync(cargo, ['build', '--quiet', '--locked', '-p', 'gatewise-cli'], {
    cwd: WORKSPACE,
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const metadata = JSON.parse(
    execFileSync(cargo, ['metadata', '--format-version', '1', '--no-deps', '--locked'], {
      cwd: WORKSPACE,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    }),
  )
  binary = join(metadata.target_directory, 'debug', process.platform === 'win32' ? 'gatewise.exe' : 'gatewise')
  return binary
}

/** Runs `gatewise ...args`: `{status, stdout, stderr}`. */
export function gatewise(args, options = {}) {
  const r = spawnSync(gatewiseBinary(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options })
  if (r.error) throw r.error
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** `gatewise fixtures -o json PATHS`: `{cases, malformed, summary, status}`. */
export function rustFixtures(paths) {
  const r = gatewise(['fixtures', '-o', 'json', ...paths])
  if (![0, 1, 2].includes(r.status)) throw new Error(`gatewise fixtures exited ${r.status}: ${r.stderr}`)
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l))
  return {
    cases: lines.filter((l) => 'case' in l),
    malformed: lines.filter((l) => 'malformed' in l),
    summary: lines.at(-1),
    status: r.status,
  }
}
