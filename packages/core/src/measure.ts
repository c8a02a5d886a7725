import type { ResolvedOptions } from './options.js'
import type { LeakReport } from './report.js'
import { type MeasuredFunction, runMeasurement } from './run.js'

/**
 * The one entry every public API goes through: the measurement, then (on a confirmed leak) anything added to the
 * report afterwards. Keeps `assert.ts` and `matcher.ts` free of the engine's internals.
 */
export function measure(fn: MeasuredFunction, options: ResolvedOptions): LeakReport | Promise<LeakReport> {
  return runMeasurement(fn, options)
}
