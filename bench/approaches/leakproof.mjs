// (c) leakproof with its default options, as users get it: a 4 s deadline, the 24 MiB retained cap, and a confirmed
// leak diagnosed inside the same deadline.
import { pathToFileURL } from 'node:url'
import { checkNames } from '../lib/naming.mjs'

// run.mjs points this at a copy of the build taken when the run started (the checkout is rebuilt by others).
const core = process.env.LEAKPROOF_BENCH_CORE
const { METRIC_NAMES, measureLeak } = await import(core ? pathToFileURL(core).href : '@leakproof/core')

export const name = 'leakproof'
export const nodeFlags = []

export function detect(testCase) {
  return detectWith(testCase, undefined)
}

/** One measureLeak call with `options`, and the figures the bench reports. */
export async function detectWith(testCase, options) {
  const started = performance.now()
  const report = await measureLeak(testCase.fn, options)
  const totalMs = performance.now() - started
  const exceeded = METRIC_NAMES.filter((metric) => report.metrics[metric].exceeded)
  // Show the labelled metric when it failed (a Buffer leak fails heap and external), else the first that failed.
  const metric = exceeded.length === 0 || exceeded.includes(testCase.metric) ? testCase.metric : exceeded[0]
  const diagnosis = report.diagnosis
  return {
    leaked: report.leaked,
    metric,
    perCall: report.metrics[metric].perCall,
    // report.durationMs ends when the verdict is reached (measure.ts takes it before the diagnosis starts).
    verdictMs: report.durationMs,
    diagnosisMs: diagnosis?.durationMs,
    totalMs,
    stop: report.limits.stop,
    calls: report.warmupCalls + report.calls,
    // Naming is the diagnosis's job: checked only when it is on (a leak left undiagnosed then counts as unnamed).
    naming:
      report.leaked && testCase.names && options?.diagnose !== false ? checkNames(report, testCase.names) : undefined,
    detail: {
      exceeded,
      verdict: report.verdict,
      calls: report.calls,
      warmupCalls: report.warmupCalls,
      detectable: report.metrics[metric].detectable,
      limits: report.limits,
      turnedEventLoop: report.turnedEventLoop,
      mode: report.mode,
      passes: report.passes.map((pass) => ({
        callsPerBatch: pass.callsPerBatch,
        rates: pass.rates,
        cumulativeRates: pass.cumulativeRates,
        runaway: pass.runaway,
        durationMs: Math.round(pass.durationMs),
      })),
      diagnosis: diagnosis && {
        calls: diagnosis.calls,
        phasesMs: diagnosis.phasesMs,
        types: diagnosis.types.slice(0, 5).map((type) => `${type.name} ${type.countPerCall.toFixed(2)}/call`),
        sites: diagnosis.sites
          .slice(0, 3)
          .map((site) => `${site.function} ${site.position.file}:${site.position.line}`),
        retainers: [...new Set(diagnosis.retainers.map((path) => path.summary))].slice(0, 3),
        notes: diagnosis.notes,
      },
    },
  }
}
