import type { MeasuredFunction } from './engine/calls.js'
import { measure } from './engine/measure.js'
import { formatLeakReport, summarizeReport } from './format.js'
import { type LeakOptions, resolveOptions } from './options.js'
import type { LeakReport } from './report.js'
import { describeValue } from './util.js'

/** Thrown by `assertNoLeak` when a leak is confirmed. `report` holds every figure. */
export class LeakError extends Error {
  override name = 'LeakError'
  readonly report: LeakReport

  constructor(report: LeakReport) {
    super(`fn leaks: ${summarizeReport(report)}.\n${formatLeakReport(report)}`)
    this.report = report
  }
}

/** Options for which the result of a sync function is always synchronous. */
export type SyncLeakOptions = LeakOptions & { turnEventLoop: false }

export function assertFunction(fn: unknown, caller: string): asserts fn is MeasuredFunction {
  if (typeof fn !== 'function') {
    throw new TypeError(`leakproof: ${caller} expects a function to call repeatedly, got ${describeValue(fn)}.`)
  }
  if (fn.length > 0) {
    throw new TypeError(
      `leakproof: ${caller} calls fn with no arguments, but it declares ${fn.length}. ` +
        'Wrap it: () => yourFunction(args).',
    )
  }
}

/**
 * Calls `fn` many times under forced full GC and reports the memory, handles, file descriptors and listeners it leaves behind.
 *
 * The result is synchronous for a sync `fn`, and a Promise when `fn` returns a thenable (calls then run one after
 * another) or when its calls schedule timers or immediates, which must run before memory can be judged
 * (see `turnEventLoop`). `await` works on both. The whole verdict ends within `deadlineMs` (default 4 s).
 */
export function measureLeak(fn: () => PromiseLike<unknown>, options?: LeakOptions): Promise<LeakReport>
export function measureLeak(fn: () => unknown, options: SyncLeakOptions): LeakReport
export function measureLeak(fn: () => unknown, options?: LeakOptions): LeakReport | Promise<LeakReport>
export function measureLeak(fn: unknown, options?: LeakOptions): LeakReport | Promise<LeakReport> {
  assertFunction(fn, 'measureLeak(fn)')
  return measure(fn, resolveOptions(options))
}

function check(report: LeakReport): void {
  if (report.leaked) throw new LeakError(report)
}

/** Like `measureLeak`, but throws a `LeakError` (with `.report`) when a leak is confirmed. */
export function assertNoLeak(fn: () => PromiseLike<unknown>, options?: LeakOptions): Promise<void>
export function assertNoLeak(fn: () => unknown, options: SyncLeakOptions): void
export function assertNoLeak(fn: () => unknown, options?: LeakOptions): void | Promise<void>
export function assertNoLeak(fn: unknown, options?: LeakOptions): void | Promise<void> {
  assertFunction(fn, 'assertNoLeak(fn)')
  const result = measure(fn, resolveOptions(options))
  if (result instanceof Promise) return result.then(check)
  check(result)
}
