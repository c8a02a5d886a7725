// Runs both test files and checks the story: v1 of the session cache leaks and its test fails with a report,
// the fixed cache passes. Exits 0 when that is what happened.
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(fileURLToPath(import.meta.url))
const jestCli = join(dirname(createRequire(import.meta.url).resolve('jest/package.json')), 'bin', 'jest.js')
const resultsFile = join(root, '.leakproof', 'jest-results.json')
rmSync(resultsFile, { force: true })

console.log('Running test/leaky.test.ts (expected to fail) and test/fixed.test.ts (expected to pass)…\n')
const run = spawnSync(process.execPath, [jestCli, '--json', `--outputFile=${resultsFile}`], {
  cwd: root,
  stdio: 'inherit',
})

const results = JSON.parse(readFileSync(resultsFile, 'utf8'))
const status = new Map(
  results.testResults.flatMap((file) => file.assertionResults.map((test) => [test.fullName, test.status])),
)
const expectations = [
  ['session cache v1 serving new visitors does not leak', 'failed'],
  ['session cache serving new visitors does not leak', 'passed'],
]
let ok = run.status === 1
for (const [name, expected] of expectations) {
  const actual = status.get(name) ?? 'missing'
  const good = actual === expected
  ok &&= good
  console.log(`${good ? '✓' : '✗'} "${name}": ${actual} (expected ${expected})`)
}
console.log(ok ? '\nDemo OK: the leak was caught and the fix passes.' : '\nDemo FAILED: see the output above.')
process.exit(ok ? 0 : 1)
