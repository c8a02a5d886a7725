// Runs both test files and checks the story: v1 of the session cache leaks and its test fails with a report,
// the fixed cache passes. Exits 0 when that is what happened.
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(fileURLToPath(import.meta.url))
const vitestCli = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')
const resultsFile = join(root, '.leakproof', 'vitest.json')
rmSync(resultsFile, { force: true })

console.log('Running test/leaky.test.ts (expected to fail) and test/fixed.test.ts (expected to pass)…\n')
const run = spawnSync(
  process.execPath,
  [
    vitestCli,
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${resultsFile}`,
    '--reporter=@leakproof/vitest/reporter',
  ],
  { cwd: root, stdio: 'inherit' },
)

const results = JSON.parse(readFileSync(resultsFile, 'utf8'))
const tests = new Map(results.testResults.flatMap((file) => file.assertionResults.map((test) => [test.fullName, test])))
const expectations = [
  ['session cache v1 serving new visitors does not leak', 'failed'],
  ['session cache serving new visitors does not leak', 'passed'],
]
let ok = run.status === 1
for (const [name, expected] of expectations) {
  const test = tests.get(name)
  const actual = test?.status ?? 'missing'
  // The leaky test must fail because of the leak, not a timeout or a typo.
  const reason = test?.failureMessages?.join('\n') ?? ''
  const good = actual === expected && (expected === 'passed' || reason.includes('Expected fn not to leak'))
  ok &&= good
  console.log(`${good ? '✓' : '✗'} "${name}": ${actual} (expected ${expected})`)
}
console.log(ok ? '\nDemo OK: the leak was caught and the fix passes.' : '\nDemo FAILED: see the output above.')
process.exit(ok ? 0 : 1)
