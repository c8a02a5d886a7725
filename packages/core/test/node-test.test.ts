import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { assertNoLeak } from '../src/node-test.js'
import type { LeakSummaryJson } from '../src/summary.js'

// Real `node --test` runs of fixture files that import the built package by name, each file in its own process.
const fixtures = fileURLToPath(new URL('./fixtures/node-test/', import.meta.url))
const built = existsSync(new URL('../dist/node-test.mjs', import.meta.url))
const folder = mkdtempSync(join(tmpdir(), 'leakproof-node-test-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

function nodeTest(files: string[], output: string) {
  const run = spawnSync(process.execPath, ['--test', '--test-reporter=tap', ...files], {
    cwd: fixtures,
    env: { ...process.env, LEAKPROOF_OUTPUT: output, LEAKPROOF_HTML: `${output}.html`, NODE_TEST_CONTEXT: undefined },
    encoding: 'utf8',
  })
  const summary = JSON.parse(readFileSync(output, 'utf8')) as LeakSummaryJson
  return { status: run.status, stdout: run.stdout, summary }
}

describe.runIf(built)('@leakproof/core/node-test under node --test', () => {
  it('names each assertion by test, file, line and index; a leak fails its test with LeakError’s message', () => {
    const output = join(folder, 'both.json')
    const { status, stdout, summary } = nodeTest(['clean.test.mjs', 'leaky.test.mjs'], output)
    expect(status).toBe(1)
    expect(
      summary.entries.map(({ test, file, line, index, report }) => ({
        test,
        file,
        line,
        index,
        leaked: report.leaked,
      })),
    ).toEqual([
      { test: 'cache > stays clean twice', file: 'clean.test.mjs', line: 6, index: 1, leaked: false },
      { test: 'cache > stays clean twice', file: 'clean.test.mjs', line: 7, index: 2, leaked: false },
      { test: 'keeps every object', file: 'leaky.test.mjs', line: 7, index: 1, leaked: true },
    ])
    expect(summary.leaks).toBe(1)
    // The failure is core's LeakError message; the figures are diagnostics of each test.
    expect(stdout).toMatch(/not ok \d+ - keeps every object[\s\S]*fn leaks: heap [\d.]+ B\/call > budget 0\.25 B\/call/)
    expect(stdout.match(/^ *# leakproof: no leak — heap [-\d.]+ B\/call ≤ 0\.25 B\/call, external/gm)).toHaveLength(2)
    expect(stdout).toMatch(/# leakproof: LEAK — heap [\d.]+ B\/call > 0\.25 B\/call/)
    expect(stdout).not.toContain('report: {')
    expect(readFileSync(`${output}.html`, 'utf8')).toContain('<svg class="chart" data-metric="heap"')
  })

  it('a later run replaces the summary instead of adding to it', () => {
    const output = join(folder, 'again.json')
    expect(nodeTest(['clean.test.mjs', 'leaky.test.mjs'], output).summary.entries).toHaveLength(3)
    const { status, summary } = nodeTest(['clean.test.mjs'], output)
    expect(status).toBe(0)
    expect(summary.entries.map((entry) => entry.file)).toEqual(['clean.test.mjs', 'clean.test.mjs'])
    expect(existsSync(`${output}.lock`)).toBe(false)
  })
})

it.skipIf(built)('needs a build first (pnpm build)', () => {
  expect.fail('dist/ is missing: run pnpm build before the tests')
})

it('asks for the test context when it is left out', () => {
  expect(() => (assertNoLeak as unknown as (fn: () => void) => void)(() => {})).toThrow(
    /assertNoLeak\(t, fn\) takes the test context first: test\('name', async \(t\) => \{ await assertNoLeak\(t, fn\) \}\)/,
  )
})
