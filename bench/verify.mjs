// Checks every case's label against the reference (reference.mjs, one process per case) and prints
// disagreements. Usage: node bench/verify.mjs [--only <substring>] [--json <file>]
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { caseFiles, flag, markdownTable } from './lib/cases.mjs'

const reference = fileURLToPath(new URL('./reference.mjs', import.meta.url))
const unit = (metric) => (metric === 'heap' || metric === 'external' ? 'B/call' : '/call')
const rows = []
const results = []
for (const testCase of caseFiles(flag('only'))) {
  const { label, metric } = await import(`./cases/${testCase.name}.mjs`)
  const out = spawnSync(process.execPath, ['--expose-gc', reference, testCase.file], {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  const line = out.stdout?.split('\n').find((l) => l.startsWith('@@RESULT '))
  const result = line
    ? JSON.parse(line.slice('@@RESULT '.length))
    : { verdict: 'error', error: out.stderr?.slice(-300) }
  results.push({ case: testCase.name, label, metric, ...result })
  const figure = result.metrics?.[metric]
  const agrees = result.verdict === label
  rows.push([
    testCase.name,
    label,
    result.verdict,
    agrees ? '✓' : '✗ DISAGREES',
    metric,
    figure ? `${figure.perCall.toFixed(3)} ${unit(metric)}` : '',
    figure ? `${figure.rises}/5` : '',
    result.calls ?? '',
    result.ms ?? '',
  ])
  process.stderr.write(
    `${testCase.name}: label ${label}, reference ${result.verdict}${agrees ? '' : '  <-- disagrees'}\n`,
  )
}
console.log(markdownTable(['case', 'label', 'reference', 'agrees', 'metric', 'per call', 'rises', 'calls', 'ms'], rows))
const disagreements = rows.filter((r) => r[3] !== '✓')
console.log(`\n${rows.length - disagreements.length}/${rows.length} labels confirmed by the reference.`)
for (const r of disagreements) console.log(`DISAGREES: ${r[0]} is labelled ${r[1]}, the reference says ${r[2]}`)
const jsonPath = flag('json')
if (jsonPath) writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`)
process.exitCode = disagreements.length > 0 ? 1 : 0
