import { assertFunction } from './assert.js'
import { checkBaseline, judgeBaseline, UPDATE_ENV } from './ci/baseline.js'
import { measure, type RunnerContext } from './engine/measure.js'
import { formatLeakReport, formatPerCall, summarizeReport } from './format.js'
import { type LeakOptions, resolveOptions } from './options.js'
import { lineInFile } from './probes/stack.js'
import type { LeakAssertion, LeakReport } from './report.js'

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
  /**
   * Which assertion this is (test name, test file, which `toLeak` of the test): it keys the known-leaks baseline and
   * the reports. Without it (outside a test) no baseline applies. The line is filled in from the stack.
   */
  assertion?: (context: Context) => Omit<LeakAssertion, 'line'> | undefined
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
  const baseline = isNot && report.leaked ? baselineLine(report) : undefined
  return `${hint}\n\n${headline}${baseline ? `\n${baseline}` : ''}\n\n${body}`
}

/** What the known-leaks baseline said of a leak that fails: worse than its entry, or not in it. */
function baselineLine(report: LeakReport): string | undefined {
  const match = report.baseline
  if (!match || match.accepted) return undefined
  if (match.status === 'new') {
    return (
      `It is not a known leak of ${match.file}: fix it, or record it with ${UPDATE_ENV}=1 ` +
      '(the baseline then lets it pass while it does not grow).'
    )
  }
  const grown = (match.worse ?? []).map((metric) => {
    const known = match.known?.[metric]
    const measured = formatPerCall(report.metrics[metric].perCall, metric)
    return known === undefined
      ? `${metric} ${measured} (its entry has no ${metric} leak)`
      : `${metric} ${measured} > allowed ${formatPerCall(match.allowed?.[metric] ?? 0, metric)} ` +
          `(known ${formatPerCall(known, metric)})`
  })
  return (
    `It is a known leak of ${match.file}, but worse than its entry: ${grown.join(', ')}. ` +
    `If that is expected, take it as measured with ${UPDATE_ENV}=all.`
  )
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
    const identity = hooks.assertion?.(this)
    const assertion: LeakAssertion | undefined = identity && { ...identity, ...lineOf(identity.file) }
    // Only `.not.toLeak()` has known leaks; a bad baseline file or setting fails before the measurement, not after.
    if (assertion && this.isNot) checkBaseline(process.env, process.cwd())
    const judge = (report: LeakReport) =>
      assertion && this.isNot ? judgeBaseline(report, assertion, process.env, process.cwd()) : undefined
    // A known leak passes: no diagnosis for it (a worse or new one gets one).
    const skipDiagnosis = (report: LeakReport) => {
      try {
        return judge(report)?.accepted === true
      } catch {
        return false
      }
    }
    const result = measure(received, resolved, hooks.runner?.(this), { skipDiagnosis })
    const verdict = (report: LeakReport): MatcherResult => {
      if (assertion) report.assertion = assertion
      const match = judge(report)
      if (match) report.baseline = match
      hooks.onReport?.(report, this)
      // Under `.not`, pass: false is the assertion passing: a known leak passes like no leak.
      return { pass: report.leaked && !match?.accepted, message: () => toLeakMessage(this, report) }
    }
    if (result instanceof Promise) {
      const pending = result.then(verdict)
      return hooks.onAsync?.(pending, this) ?? pending
    }
    return verdict(result)
  }
}

function lineOf(file: string): { line?: number } {
  const line = lineInFile(file)
  return line === undefined ? {} : { line }
}
