// Prints, for every accuracy case, the verdicts over several runs, bytes/call and time to verdict (diagnosis off:
// it runs only after a leak is confirmed and is timed by bench/diagnosis.mjs).
// Each case runs in its own Node process (as a test file would), against the built package.
// Usage: pnpm --filter @leakproof/core build && node bench/accuracy.mjs [runs=5]
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const runs = Number(process.argv[2] ?? 5)
const here = fileURLToPath(import.meta.url)

if (process.env.LEAKPROOF_BENCH_CASE) {
  const { measureLeak } = await import('@leakproof/core')
  const cases = await import('./cases.mjs')
  const [group, name] = process.env.LEAKPROOF_BENCH_CASE.split('/')
  const testCase = cases[group].find((c) => c.name === name)
  const results = []
  for (let run = 0; run < runs; run++) {
    const started = performance.now()
    const report = await measureLeak(testCase.make(), { diagnose: false })
    results.push({ leaked: report.leaked, perCall: report.metrics.heap.perCall, ms: performance.now() - started })
  }
  process.stdout.write(JSON.stringify(results))
} else {
  const cases = await import('./cases.mjs')
  const groups = { cleanCases: false, asyncCleanCases: false, leakCases: true, asyncLeakCases: true }
  const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)]
  const rows = []
  for (const [group, leaks] of Object.entries(groups)) {
    for (const testCase of cases[group]) {
      const output = execFileSync(process.execPath, [here, String(runs)], {
        env: { ...process.env, LEAKPROOF_BENCH_CASE: `${group}/${testCase.name}` },
        encoding: 'utf8',
      })
      const results = JSON.parse(output)
      const correct = results.filter((r) => r.leaked === leaks).length
      rows.push([
        testCase.name,
        leaks ? 'leak' : 'clean',
        `${correct}/${results.length}`,
        median(results.map((r) => r.perCall)).toFixed(2),
        median(results.map((r) => r.ms)).toFixed(0),
      ])
    }
  }
  const header = ['case', 'label', 'correct', 'heap B/call (median)', 'time to verdict ms (median)']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`
  console.log(`Node ${process.version}, ${runs} runs per case, each case in its own process`)
  console.log(line(header))
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`)
  for (const row of rows) console.log(line(row))
}
