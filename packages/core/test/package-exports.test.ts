import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// Runs the built package the way users load it: by name, through the exports map, from a plain Node process.
const packageRoot = fileURLToPath(new URL('..', import.meta.url))
const built = existsSync(new URL('../dist/index.cjs', import.meta.url))

function run(args: string[]): unknown {
  const output = execFileSync(process.execPath, args, { cwd: packageRoot, encoding: 'utf8' })
  return JSON.parse(output)
}

const program = `
  const report = measureLeak(() => {})
  console.log(JSON.stringify({ sync: !(report instanceof Promise), leaked: report.leaked, error: typeof LeakError }))
`

describe.runIf(built)('the built package', () => {
  it('loads with require() and measures synchronously', () => {
    const result = run(['-e', `const { measureLeak, LeakError } = require('@leakproof/core');${program}`])
    expect(result).toEqual({ sync: true, leaked: false, error: 'function' })
  })

  it('loads with import and measures synchronously', () => {
    const result = run([
      '--input-type=module',
      '-e',
      `import { measureLeak, LeakError } from '@leakproof/core';${program}`,
    ])
    expect(result).toEqual({ sync: true, leaked: false, error: 'function' })
  })
})

it.skipIf(built)('needs a build first (pnpm build)', () => {
  expect.fail('dist/ is missing: run pnpm build before the tests')
})
