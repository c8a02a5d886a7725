// Cost of diagnosis, against the built package.
//  - passing path: a clean fn measured with diagnosis on (the default) and off, interleaved; medians.
//  - diagnosis of a leak in a process whose heap holds 20 MB and 100 MB of live objects; medians.
// Each scenario runs in its own Node process. Usage:
//   pnpm --filter @leakproof/core build && node packages/core/bench/diagnosis.mjs [runs=5]
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const runs = Number(process.argv[2] ?? 5)
const here = fileURLToPath(import.meta.url)
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)]
const SMALL = { callsPerBatch: 1000, batches: 6, warmupCalls: 1000, confirm: false, turnEventLoop: false }

const scenario = process.env.LEAKPROOF_BENCH_SCENARIO
if (scenario === 'passing') {
  const { measureLeak } = await import('@leakproof/core')
  const clean = () => Array.from({ length: 32 }, (_, index) => index * index).reduce((sum, value) => sum + value, 0)
  const times = { on: [], off: [] }
  for (let run = 0; run < runs; run++) {
    for (const mode of ['off', 'on']) {
      const started = performance.now()
      const report = measureLeak(clean, { turnEventLoop: false, diagnose: mode === 'on' })
      if (report.leaked || report.diagnosis) throw new Error('the clean function was judged a leak')
      times[mode].push(performance.now() - started)
    }
  }
  process.stdout.write(JSON.stringify({ off: median(times.off), on: median(times.on) }))
} else if (scenario?.startsWith('heap-')) {
  const { measureLeak } = await import('@leakproof/core')
  const targetBytes = Number(scenario.slice('heap-'.length)) * 1024 * 1024
  // Live ballast: small objects and strings, like an application's heap.
  const ballast = []
  globalThis.leakproofBallast = ballast
  while (process.memoryUsage().heapUsed < targetBytes) {
    for (let i = 0; i < 10_000; i++) ballast.push({ id: i, name: `item-${ballast.length}`, tags: [i] })
  }
  class Session {
    constructor(id) {
      this.id = id
      this.createdAt = Date.now()
    }
  }
  const sessions = new Map()
  let next = 0
  const leaky = () => sessions.set(next, new Session(next++))
  const results = []
  for (let run = 0; run < runs; run++) {
    const report = measureLeak(leaky, SMALL)
    const diagnosis = report.diagnosis
    if (diagnosis?.types[0]?.name !== 'Session') throw new Error('the leak was not diagnosed')
    results.push({
      ms: diagnosis.durationMs,
      measureMs: report.durationMs,
      heapMB: process.memoryUsage().heapUsed / 1024 / 1024,
    })
  }
  process.stdout.write(
    JSON.stringify({
      ms: median(results.map((r) => r.ms)),
      measureMs: median(results.map((r) => r.measureMs)),
      heapMB: median(results.map((r) => r.heapMB)),
      all: results.map((r) => Math.round(r.ms)),
    }),
  )
} else {
  const run = (name) =>
    JSON.parse(
      execFileSync(process.execPath, [here, String(runs)], {
        env: { ...process.env, LEAKPROOF_BENCH_SCENARIO: name },
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      }),
    )
  const passing = run('passing')
  console.log(
    `passing path (clean fn, default options, median of ${runs}): diagnose off ${passing.off.toFixed(0)} ms, ` +
      `on ${passing.on.toFixed(0)} ms`,
  )
  for (const megabytes of [20, 100]) {
    const result = run(`heap-${megabytes}`)
    console.log(
      `diagnosis of a leak with ~${megabytes} MB live heap (heap after: ${result.heapMB.toFixed(0)} MB), ` +
        `median of ${runs}: ${result.ms.toFixed(0)} ms (runs: ${result.all.join(', ')}; measurement ${result.measureMs.toFixed(0)} ms)`,
    )
  }
}
