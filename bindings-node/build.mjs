#!/usr/bin/env node
// Builds the addon: `npm run build` (debug) or `npm run build:release`.
//
// `cargo build -p gatewise-node --locked` compiles into the workspace's target/
// (target/debug or target/release), sharing every dependency with the other
// cargo commands; then @napi-rs/cli's own functions write `index.d.ts` (the
// header `dts-header.d.ts` and what napi-derive recorded from src/*.rs) and the
// loader `native.cjs`, and the library is copied to
// `gatewise.<platform>.node`. This is what `napi build --platform` does, except
// that `napi build` always passes `--target <triple>`, which compiles every
// dependency once more under target/<triple>/.

import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { generateTypeDef, parseTriple, writeJsBinding } from '@napi-rs/cli'

const here = dirname(fileURLToPath(import.meta.url))
const release = process.argv.includes('--release')
const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'))
const crate = 'gatewise-node'
const cargo = process.env.CARGO ?? 'cargo'

const metadata = JSON.parse(
  execFileSync(cargo, ['metadata', '--format-version', '1', '--no-deps', '--locked'], {
    cwd: here,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  }),
)
// napi-derive records the TypeScript of every `#[napi]` item in this folder as
// it expands the macros; without its file the crate must compile again.
const typeDefDir = join(metadata.target_directory, 'napi-rs', `${crate}-type-def`)
mkdirSync(typeDefDir, { recursive: true })
const env = { ...process.env, NAPI_TYPE_DEF_TMP_FOLDER: typeDefDir }
if (!existsSync(join(typeDefDir, crate))) {
  env[`NAPI_FORCE_BUILD_${crate.replaceAll('-', '_').toUpperCase()}`] = String(Date.now())
}

const build = spawnSync(
  cargo,
  ['build', '--locked', '-p', crate, '--lib', '--message-format=json-render-diagnostics', ...(release ? ['--release'] : [])],
  { cwd: here, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024 },
)
if (build.status !== 0) process.exit(build.status ?? 1)
const artifact = build.stdout
  .split('\n')
  .filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l))
  .find((m) => m.reason === 'compiler-artifact' && m.target?.name === crate.replaceAll('-', '_') && m.target.kind.includes('cdylib'))
const library = artifact?.filenames.find((f) => /\.(so|dylib|dll)$/.test(f))
if (library === undefined) throw new Error(`cargo built no cdylib for ${crate}`)

const host = execFileSync('rustc', ['-vV'], { encoding: 'utf8' }).match(/^host: (.+)$/m)[1]
const target = parseTriple(host)
const binary = `${pkg.napi.binaryName}.${target.platformArchABI}.node`
copyFileSync(library, join(here, binary))

const { exports, dts } = await generateTypeDef({
  typeDefDir,
  configDtsHeaderFile: pkg.napi.dtsHeaderFile,
  constEnum: false,
  cwd: here,
  declareBindingTarget: true,
})
writeFileSync(join(here, 'index.d.ts'), dts)
await writeJsBinding({
  platform: true,
  idents: exports,
  jsBinding: 'native.cjs',
  binaryName: pkg.napi.binaryName,
  packageName: pkg.name,
  version: pkg.version,
  outputDir: here,
})
console.log(`built ${binary} (${release ? 'release' : 'debug'}) from ${library}; wrote index.d.ts, native.cjs`)
