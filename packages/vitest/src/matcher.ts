import {
  createToLeakMatcher,
  formatLeakReport,
  type LeakOptions,
  type LeakReport,
  type MatcherContextLike,
  type MatcherResult,
  type RunnerContext,
  summarizeReport,
} from '@leakproof/core'
import type { ExpectStatic, RunnerTestCase } from 'vitest'
import { recordLeakReport } from './meta.js'

/** The part of Vitest's matcher state that `toLeak` uses: core's `isNot` and `utils`, plus the running test. */
export interface VitestMatcherContext extends MatcherContextLike {
  task?: Readonly<RunnerTestCase>
}

interface AsyncGuard {
  /** The measurement finished (either way). */
  settled: boolean
  /** The test ended before the measurement did: the assertion was not awaited. Its hook reports the failure. */
  abandoned: boolean
  /** The test runs concurrently with others, which pollutes an async measurement. */
  concurrent: boolean
}

/**
 * How long the forgotten-await hook may wait for the measurement: it ends by its deadline (within the test's
 * timeout) or at the next call boundary once the test's signal aborts, so this is only a backstop.
 */
const GUARD_HOOK_TIMEOUT_MS = 60_000

const guards = new WeakMap<Promise<MatcherResult>, AsyncGuard>()
const lastReports = new WeakMap<VitestMatcherContext, LeakReport>()

const assertionText = (context: VitestMatcherContext) => `expect(fn).${context.isNot ? 'not.' : ''}toLeak()`

function notAwaitedMessage(context: VitestMatcherContext, report: LeakReport | undefined, outcome: string): string {
  const why =
    report?.mode === 'sync'
      ? 'fn is sync, but its calls scheduled timers or immediates, so the measurement let the event loop turn between batches and returned a promise'
      : 'fn returns a promise, so the measurement awaits every call and returns a promise'
  return (
    `leakproof: the promise returned by ${assertionText(context)} was not awaited, so the test ended before the ` +
    `measurement did and its verdict would have been lost (${why}). ` +
    `Write \`await ${assertionText(context)}\`.\nIts verdict, reported here instead:\n${outcome}`
  )
}

function concurrentMessage(context: VitestMatcherContext): string {
  // No test name: the global `expect` of a concurrent test points at whichever test started last.
  return (
    `leakproof: ${assertionText(context)} cannot judge an async measurement inside a concurrent test. ` +
    'While it awaits, the other tests of the concurrent group run in the same worker, and what they allocate ' +
    "counts as fn's growth (a neighbour that retains memory reads as hundreds of bytes per call). " +
    'Run this test sequentially (test instead of test.concurrent, or describe.sequential), or measure a sync fn.'
  )
}

function isAsyncFunction(value: unknown): boolean {
  return typeof value === 'function' && Object.prototype.toString.call(value) === '[object AsyncFunction]'
}

/** What the abandoned assertion would have said: its failure message, or that it would have passed. */
function describeOutcome(context: VitestMatcherContext, result: MatcherResult): string {
  const failed = result.pass === Boolean(context.isNot)
  const report = lastReports.get(context)
  if (failed || !report) return result.message()
  return `It would have passed: ${summarizeReport(report)}.\n${formatLeakReport(report)}`
}

/** Watches an async measurement: fails the test with a clear message when nobody awaited it. */
function watchAsync(pending: Promise<MatcherResult>, context: VitestMatcherContext): AsyncGuard {
  const guard: AsyncGuard = { settled: false, abandoned: false, concurrent: context.task?.concurrent === true }
  const settle = () => {
    guard.settled = true
  }
  pending.then(settle, settle)
  // In a concurrent test the measurement fails anyway (see concurrentMessage), and the global `expect` may point at
  // a neighbouring test, so no hook is attached there: an unawaited failure surfaces as an unhandled rejection.
  if (guard.concurrent) return guard
  try {
    context.task?.context.onTestFinished(async () => {
      if (guard.settled) return
      guard.abandoned = true
      // Wait for it, so the measurement does not run into the next test, then fail this one.
      const outcome = await pending.then(
        (result) => describeOutcome(context, result),
        (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
      )
      if (context.task?.result?.state === 'fail') {
        // Awaited or not, the test had already failed (a timeout, most often) while the measurement ran; the test's
        // signal stopped it at the next call boundary, so later tests do not wait for it.
        throw new Error(
          `leakproof: the test failed before ${assertionText(context)} finished; the measurement stopped then. ` +
            'If the test timed out, give it more time: the measurement fits its deadline inside the timeout, so ' +
            `the time went elsewhere in the test.\nWhat the measurement said: ${outcome}`,
        )
      }
      throw new Error(notAwaitedMessage(context, lastReports.get(context), outcome))
    }, GUARD_HOOK_TIMEOUT_MS)
  } catch {
    // Called outside a test body (a hook): Vitest allows no onTestFinished there, so there is nothing to guard.
  }
  return guard
}

/** The running test's timeout, elapsed time and abort signal: the measurement's deadline comes from them. */
function runnerContext(context: VitestMatcherContext): RunnerContext | undefined {
  const task = context.task
  if (!task) return undefined
  const startTime = task.result?.startTime
  const signal = (task.context as { signal?: AbortSignal } | undefined)?.signal
  return {
    source: 'vitest',
    testTimeoutMs: typeof task.timeout === 'number' ? task.timeout : 0,
    elapsedMs: typeof startTime === 'number' ? Math.max(0, Date.now() - startTime) : 0,
    ...(signal ? { signal } : {}),
  }
}

/** Counts the `toLeak` assertions of each test run (a retry starts again at 1). */
const assertionCounts = new WeakMap<object, { retry: number; count: number }>()

/** The running assertion: Vitest's full test name (`suite > test`, as reporters show it), its file, its index. */
function assertionOf(context: VitestMatcherContext) {
  const task = context.task
  const file = task?.file?.filepath
  if (!task || !file) return undefined
  const retry = task.result?.retryCount ?? 0
  const counted = assertionCounts.get(task)
  const count = counted && counted.retry === retry ? counted.count + 1 : 1
  assertionCounts.set(task, { retry, count })
  return { test: task.fullTestName ?? fullTestName(task), file, index: count }
}

function fullTestName(task: Readonly<RunnerTestCase>): string {
  const names = [task.name]
  for (
    let suite = task.suite;
    suite && suite.type !== undefined && suite.name && suite !== task.file;
    suite = suite.suite
  ) {
    names.unshift(suite.name)
  }
  return names.join(' > ')
}

const coreToLeak = createToLeakMatcher<VitestMatcherContext>({
  runner: runnerContext,
  assertion: assertionOf,
  onReport(report, context) {
    lastReports.set(context, report)
    if (context.task) recordLeakReport(context.task, report)
  },
  onAsync(pending, context) {
    guards.set(pending, watchAsync(pending, context))
    return undefined
  },
})

/**
 * The `toLeak` matcher for Vitest: core's matcher, plus the report stored on `task.meta.leakproof` and two guards
 * (a forgotten `await`, an async measurement inside a concurrent test).
 */
export function toLeak(
  this: VitestMatcherContext,
  received: unknown,
  options?: LeakOptions,
): MatcherResult | Promise<MatcherResult> {
  if (this.task?.concurrent && isAsyncFunction(received)) throw new Error(concurrentMessage(this))
  const result = coreToLeak.call(this, received, options)
  if (!(result instanceof Promise)) return result
  const guard = guards.get(result)
  // When abandoned, the onTestFinished hook reports the verdict; a rejection here would only be unhandled noise.
  const quiet: MatcherResult = { pass: !this.isNot, message: () => '' }
  return result.then(
    (verdict) => {
      if (guard?.abandoned) return quiet
      if (guard?.concurrent) throw new Error(concurrentMessage(this))
      return verdict
    },
    (error: unknown) => {
      if (guard?.abandoned) return quiet
      throw error
    },
  )
}

/** Registers `toLeak` on a Vitest `expect` (the global one, or a test's `context.expect`). */
export function registerToLeak(expect: ExpectStatic): void {
  expect.extend({ toLeak })
}
