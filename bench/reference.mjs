// The reference that labels are checked against: deliberately simple and independent of leakproof.
// Plain `node --expose-gc`, a long run (several seconds, 200k+ calls for fast functions), the event loop turning
// as in an application, gc() and a reading at six checkpoints. A metric leaks when it grew by more than a floor
// overall, at more than a tiny per-call rate, and kept growing: it rose in at least 2 of the 5 intervals (a Map that
// doubles its table grows in steps, 2–3 of them over such a run). A cache that fills, lazy initialisation and JIT
// warm-up grow once, in the warm-up or in one interval.
// Usage: node --expose-gc reference.mjs <case file>   (prints one JSON line)
import { setTimeout as sleep } from 'node:timers/promises'
import { callMany, callsPerMs, loadCase } from './lib/calls.mjs'

const RUN_MS = 5000
const MIN_CALLS = 200_000
const MAX_CALLS = 3_000_000
const MAX_SLOW_RUN_MS = 15_000
const GROWTH_CAP_BYTES = 100 * 1024 * 1024
const CHECKPOINTS = 6
/** Code that slows down as it leaks (listeners checked for duplicates) gets at most this long per interval. */
const MAX_INTERVAL_MS = 3000
/** Per metric: least total growth, least growth per call, least rise of one interval that counts as a rise. */
const RULES = {
  heap: { total: 256 * 1024, perCall: 0.1, rise: 16 * 1024 },
  external: { total: 64 * 1024, perCall: 0.1, rise: 4 * 1024 },
  handles: { total: 20, perCall: 0.0005, rise: 1 },
  listeners: { total: 20, perCall: 0.0005, rise: 1 },
}

function countProcessListeners() {
  return process.eventNames().reduce((sum, event) => sum + process.listenerCount(event), 0)
}

async function read() {
  // Let timers (up to 100 ms) and immediates run, then collect twice: weak callbacks can free more.
  await sleep(100)
  globalThis.gc()
  globalThis.gc()
  const { heapUsed, external } = process.memoryUsage()
  return {
    heap: heapUsed,
    external,
    handles: process.getActiveResourcesInfo().length,
    listeners: countProcessListeners(),
  }
}

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc')
const file = process.argv[2]
const testCase = await loadCase(file)
const options = { turnEventLoop: true }
const started = performance.now()
const rate = await callsPerMs(testCase.fn, 500, options, 100_000)
let calls = Math.round(rate * RUN_MS)
calls = Math.max(calls, Math.min(MIN_CALLS, Math.round(rate * MAX_SLOW_RUN_MS)))
calls = Math.min(calls, MAX_CALLS)
// Warm-up (a fifth of the run) doubles as a probe of the growth rate, to keep a fast leak within memory.
const before = await read()
const warmup = Math.max(1, Math.round(calls / 5))
const warmupDone = await callMany(testCase.fn, warmup, { ...options, deadline: performance.now() + MAX_INTERVAL_MS })
const probe = await read()
const probeGrowth = (probe.heap + probe.external - before.heap - before.external) / warmupDone
if (probeGrowth > 0) calls = Math.max(1000, Math.min(calls, Math.floor(GROWTH_CAP_BYTES / probeGrowth)))
const step = Math.max(1, Math.round(calls / (CHECKPOINTS - 1)))
const points = [probe]
let measuredCalls = 0
for (let i = 1; i < CHECKPOINTS; i++) {
  measuredCalls += await callMany(testCase.fn, step, { ...options, deadline: performance.now() + MAX_INTERVAL_MS })
  points.push(await read())
}
await testCase.teardown?.()
const metrics = {}
for (const [metric, rule] of Object.entries(RULES)) {
  const series = points.map((p) => p[metric])
  const total = series[series.length - 1] - series[0]
  let rises = 0
  for (let i = 1; i < series.length; i++) if (series[i] - series[i - 1] >= rule.rise) rises++
  const perCall = total / measuredCalls
  const leaked = total >= rule.total && perCall >= rule.perCall && rises >= 2
  metrics[metric] = { perCall, total, rises, leaked, series }
}
const leakedMetrics = Object.keys(metrics).filter((m) => metrics[m].leaked)
process.stdout.write(
  `\n@@RESULT ${JSON.stringify({
    verdict: leakedMetrics.length > 0 ? 'leak' : 'clean',
    leakedMetrics,
    calls: measuredCalls,
    warmupCalls: warmupDone,
    ms: Math.round(performance.now() - started),
    metrics,
  })}\n`,
)
process.exit(0)
