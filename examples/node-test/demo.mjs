// Runs the leaky demo test and the example's tests under `node --test`, each file in its own process as usual,
// with LEAKPROOF_OUTPUT and LEAKPROOF_HTML set, then checks the story: the leak failed its test with core's LeakError
// message, every other test passed, and one summary (JSON and HTML) holds both files' assertions.
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(fileURLToPath(import.meta.url))
const output = join(root, '.leakproof', 'leaks.json')
const html = join(root, '.leakproof', 'leaks.html')
rmSync(join(root, '.leakproof'), { recursive: true, force: true })

console.log('node --test demo/leaky-limiter.mjs (expected to fail) test/rate-limiter.test.mjs (expected to pass)…\n')
const run = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=spec', 'demo/leaky-limiter.mjs', 'test/rate-limiter.test.mjs'],
  {
    cwd: root,
    env: { ...process.env, LEAKPROOF_OUTPUT: '.leakproof/leaks.json', LEAKPROOF_HTML: '.leakproof/leaks.html' },
    encoding: 'utf8',
  },
)
process.stdout.write(run.stdout)
process.stderr.write(run.stderr)

const summary = JSON.parse(readFileSync(output, 'utf8'))
const verdicts = Object.fromEntries(summary.entries.map((entry) => [entry.test, entry.report.leaked]))
const checks = [
  ['the run failed', run.status === 1],
  ["the leak failed its test with LeakError's message", /fn leaks: heap [\d.]+ B\/call > budget/.test(run.stdout)],
  [
    'demo/leaky-limiter.mjs is in the summary, leaking',
    verdicts['rate limiter v1 › serving new clients does not leak'] === true,
  ],
  ['the bounded limiter is in it, clean', verdicts['rate limiter > the bounded limiter does not leak'] === false],
  ['all 4 assertions of both files are in it', summary.entries.length === 4],
  ['the HTML page was written', readFileSync(html, 'utf8').includes('<svg class="chart"')],
]
for (const [what, good] of checks) console.log(`${good ? '✓' : '✗'} ${what}`)
const ok = checks.every(([, good]) => good)
console.log(
  ok
    ? `\nDemo OK: the leak was caught. Summary: ${join('.leakproof', 'leaks.json')}; page: ${join('.leakproof', 'leaks.html')}.`
    : '\nDemo FAILED: see the output above.',
)
process.exit(ok ? 0 : 1)
