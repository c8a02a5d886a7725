// (c) leakproof with its default options (diagnosis on: a confirmed leak is also diagnosed, outside the verdict).
import { pathToFileURL } from 'node:url'

// run.mjs points this at a copy of the build taken when the run started (the checkout is rebuilt by others).
const core = process.env.LEAKPROOF_BENCH_CORE
const { METRIC_NAMES, measureLeak } = await import(core ? pathToFileURL(core).href : '@leakproof/core')

export const name = 'leakproof'
export const nodeFlags = []

export async function detect(testCase) {
  const started = performance.now()
  const report = await measureLeak(testCase.fn)
  const totalMs = performance.now() - started
  const exceeded = METRIC_NAMES.filter((metric) => report.metrics[metric].exceeded)
  // Show the labelled metric when it failed (a Buffer leak fails heap and external), else the first that failed.
  const metric = exceeded.length === 0 || exceeded.includes(testCase.metric) ? testCase.metric : exceeded[0]
  return {
    leaked: report.leaked,
    metric,
    perCall: report.metrics[metric].perCall,
    verdictMs: report.durationMs,
    totalMs,
    detail: {
      exceeded,
      verdict: report.verdict,
      calls: report.calls,
      warmupCalls: report.warmupCalls,
      turnedEventLoop: report.turnedEventLoop,
      mode: report.mode,
      passes: report.passes.map((pass) => ({
        callsPerBatch: pass.callsPerBatch,
        rates: pass.rates,
        runaway: pass.runaway,
        durationMs: Math.round(pass.durationMs),
      })),
    },
  }
}
