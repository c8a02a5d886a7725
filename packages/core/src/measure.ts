import { diagnoseAsync, diagnoseSync } from './diagnose/diagnose.js'
import type { ResolvedOptions } from './options.js'
import type { LeakReport } from './report.js'
import { type MeasuredFunction, runMeasurement } from './run.js'

const ACTIVE = Symbol.for('leakproof.measurement-active')
type ProcessWithFlag = NodeJS.Process & { [ACTIVE]?: boolean }

/**
 * The one entry every public API goes through: the measurement, then (on a confirmed leak) the diagnosis added to
 * the report. Keeps `assert.ts` and `matcher.ts` free of the engine's internals.
 */
export function measure(fn: MeasuredFunction, options: ResolvedOptions): LeakReport | Promise<LeakReport> {
  const result = runMeasurement(fn, options)
  if (options.diagnose === false) return result
  return result instanceof Promise
    ? result.then((report) => withDiagnosis(fn, options, report))
    : withDiagnosis(fn, options, result)
}

/**
 * Diagnoses a confirmed leak. A sync fn whose measurement stayed synchronous is diagnosed synchronously; when the
 * measurement awaited (async fn, or calls that left timers), the diagnosis awaits its calls too.
 */
function withDiagnosis(
  fn: MeasuredFunction,
  options: ResolvedOptions,
  report: LeakReport,
): LeakReport | Promise<LeakReport> {
  if (!report.leaked || options.diagnose === false) return report
  const input = {
    fn,
    report,
    settings: options.diagnose,
    callTimeoutMs: options.callTimeoutMs,
    runawayBytes: options.runawayBytes,
  }
  // The diagnosis calls fn again: keep other measurements out, as the measurement itself does.
  const proc = process as ProcessWithFlag
  proc[ACTIVE] = true
  if (report.mode === 'async' || report.turnedEventLoop) {
    return diagnoseAsync(input)
      .then((diagnosis) => {
        report.diagnosis = diagnosis
        return report
      })
      .finally(() => {
        proc[ACTIVE] = false
      })
  }
  try {
    report.diagnosis = diagnoseSync(input)
  } finally {
    proc[ACTIVE] = false
  }
  return report
}
