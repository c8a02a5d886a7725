import { assertFunction } from './assert.js'
import { measure, type RunnerContext } from './engine/measure.js'
import { formatLeakReport, summarizeReport } from './format.js'
import { type LeakOptions, resolveOptions } from './options.js'
import type { LeakReport } from './report.js'

/** The part of a Jest or Vitest matcher context that the matcher uses. */
export interface MatcherContextLike {
  isNot?: boolean
  utils: {
    matcherHint(matcherName: string, received?: string, expected?: string, options?: { isNot?: boolean }): string
    RECEIVED_COLOR?: (text: string) => string
    EXPECTED_COLOR?: (text: string) => string
    DIM_COLOR?: (text: string) => string
  }
}

export interface MatcherResult {
  pass: boolean
  message: () => string
}

export interface ToLeakMatcherHooks<Context extends MatcherContextLike = MatcherContextLike> {
  /** Called with every report, before the verdict is returned (for example to store it on the test). */
  onReport?: (report: LeakReport, context: Context) => void
  /**
   * Called with the pending promise of an async measurement (for example to guard against a missing await). A promise
   * returned here is what the matcher returns instead (for example one that stays quiet when the adapter itself
   * stopped a measurement nobody awaited).
   */
  onAsync?: (pending: Promise<MatcherResult>, context: Context) => Promise<MatcherResult> | undefined
  /** What the runner knows about the running test: its timeout, how long it ran, its abort signal. */
  runner?: (context: Context) => RunnerContext | undefined
}

export type ToLeakMatcher<Context extends MatcherContextLike = MatcherContextLike> = (
  this: Context,
  received: unknown,
  options?: LeakOptions,
) => MatcherResult | Promise<MatcherResult>

/** Builds the failure or success message of `toLeak` / `.not.toLeak` from a report. */
export function toLeakMessage(context: MatcherContextLike, report: LeakReport): string {
  const { utils, isNot } = context
  const hint = utils.matcherHint('toLeak', 'fn', '', { isNot })
  const body = formatLeakReport(report, {
    received: utils.RECEIVED_COLOR,
    expected: utils.EXPECTED_COLOR,
    dim: utils.DIM_COLOR,
  })
  const headline = report.leaked
    ? `Expected fn not to leak, but it does: ${summarizeReport(report)}.`
    : `Expected fn to leak, but it did not: ${summarizeReport(report)}.`
  return `${hint}\n\n${headline}\n\n${body}`
}

/**
 * The framework-neutral `toLeak` matcher: register it with `expect.extend({ toLeak: createToLeakMatcher() })`.
 * It uses only `this.isNot` and `this.utils`, so the same body runs under Jest and Vitest.
 */
export function createToLeakMatcher<Context extends MatcherContextLike = MatcherContextLike>(
  hooks: ToLeakMatcherHooks<Context> = {},
): ToLeakMatcher<Context> {
  return function toLeak(this: Context, received: unknown, options?: LeakOptions) {
    assertFunction(received, 'expect(fn).toLeak()')
    const resolved = resolveOptions(options)
    // A positive toLeak() passes on a leak: explaining it would only cost time, unless asked for.
    if (!this.isNot && (options?.diagnose === undefined || options.diagnose === true)) resolved.diagnose = false
    const result = measure(received, resolved, hooks.runner?.(this))
    const verdict = (report: LeakReport): MatcherResult => {
      hooks.onReport?.(report, this)
      return { pass: report.leaked, message: () => toLeakMessage(this, report) }
    }
    if (result instanceof Promise) {
      const pending = result.then(verdict)
      return hooks.onAsync?.(pending, this) ?? pending
    }
    return verdict(result)
  }
}
