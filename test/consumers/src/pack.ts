// globalSetup: packs the published packages once per run (`pnpm pack`, which writes the real version in place of
// `workspace:*`), hands the tarballs to the specs, and removes them at the end.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { type LeakproofPackage, type Tarballs, workspaceRoot } from './consumer.js'

const PACKAGES: LeakproofPackage[] = ['core', 'vitest', 'jest']

let packDir: string | undefined

export function setup(project: TestProject): void {
  packDir = mkdtempSync(join(tmpdir(), 'leakproof-consumers-packs-'))
  const tarballs = {} as Tarballs
  for (const name of PACKAGES) {
    const dir = join(workspaceRoot, 'packages', name)
    if (!existsSync(join(dir, 'dist'))) throw new Error(`packages/${name}/dist is missing: run \`pnpm build\` first`)
    // Under `pnpm run`, npm_execpath is that pnpm; run it with this Node, as scripts/test-matrix.mjs does.
    const pnpmEntry = process.env.npm_execpath
    const [command, args] = /pnpm\.c?js$/.test(pnpmEntry ?? '')
      ? [process.execPath, [pnpmEntry as string, 'pack', '--pack-destination', packDir]]
      : ['pnpm', ['pack', '--pack-destination', packDir]]
    const packed = spawnSync(command, args, { cwd: dir, encoding: 'utf8' })
    const tarball = packed.stdout?.trim().split('\n').at(-1)
    if (packed.status !== 0 || !tarball?.endsWith('.tgz')) {
      throw new Error(`pnpm pack failed in packages/${name}:\n${packed.stdout}${packed.stderr}${packed.error ?? ''}`)
    }
    tarballs[name] = tarball
  }
  project.provide('tarballs', tarballs)
}

export function teardown(): void {
  if (packDir) rmSync(packDir, { recursive: true, force: true })
}
