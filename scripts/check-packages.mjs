#!/usr/bin/env node
// Packs every package in packages/ as it would be published (`pnpm pack`, after `pnpm build`) and lints each tarball:
// @arethetypeswrong/cli resolves the types of every entry point under node10, node16 (from CJS and from ESM) and
// bundler, and publint checks package.json against the files in the tarball (strict: every message, suggestions
// included, counts). Exit code 1 when either reports anything.
//
//   node scripts/check-packages.mjs
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { root, scriptArgs } from './node-versions.mjs'

scriptArgs(import.meta.url, {}, (message) => {
  console.error(`check-packages: ${message}`)
  process.exit(2)
})

const packagesDir = join(root, 'packages')
const attw = join(root, 'node_modules', '.bin', 'attw')
const packDir = mkdtempSync(join(tmpdir(), 'leakproof-check-packages-'))
let problems = 0

try {
  for (const name of readdirSync(packagesDir).sort()) {
    const dir = join(packagesDir, name)
    if (!existsSync(join(dir, 'package.json'))) continue
    if (!existsSync(join(dir, 'dist'))) throw new Error(`packages/${name}/dist is missing: run \`pnpm build\` first`)
    const packed = run('pnpm', ['pack', '--pack-destination', packDir], dir)
    const tarball = packed.stdout.trim().split('\n').at(-1)
    if (packed.status !== 0 || !tarball?.endsWith('.tgz')) {
      throw new Error(`pnpm pack failed in packages/${name}:\n${packed.stdout}${packed.stderr}`)
    }

    // --no-definitely-typed: judge the package's own types, without fetching @types/* from the registry.
    const types = run(attw, [tarball, '--format', 'table-flipped', '--no-color', '--no-definitely-typed'], root)
    const typesOk = types.status === 0
    console.log(`\n${typesOk ? 'ok    ' : 'FAILED'} attw ${name}\n${types.stdout.trim()}${types.stderr.trim()}`)

    const { messages, pkg } = await publint({ pack: { tarball: readFileSync(tarball).buffer }, strict: true })
    const lines = messages.map((message) => `  ${message.type}: ${formatMessage(message, pkg, { color: false })}`)
    console.log(`${messages.length === 0 ? 'ok    ' : 'FAILED'} publint ${name}${['', ...lines].join('\n')}`)

    if (!typesOk) problems++
    problems += messages.length
  }
} catch (error) {
  console.error(`check-packages: ${error.message}`)
  process.exitCode = 1
} finally {
  rmSync(packDir, { recursive: true, force: true })
}

if (problems > 0) {
  console.error(`\ncheck-packages: ${problems} problem(s) in the packed packages (see above)`)
  process.exitCode = 1
} else if (process.exitCode !== 1) {
  console.log('\ncheck-packages: attw and publint found no problem in any packed package')
}

function run(command, args, cwd) {
  return spawnSync(command, args, { cwd, encoding: 'utf8' })
}
