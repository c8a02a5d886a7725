import { createToLeakMatcher, type LeakReport, type RunnerContext, summarizeReport } from '@leakproof/core'
import { addressForThisProcess, writeRecord } from './channel.js'

/** The part of Jest's `expect` that registration uses. */
export interface ExpectLike {
  extend(matchers: Record<string, unknown>): void
  getState(): { currentTestName?: string | undefined; testPath?: string | undefined }
}

type Hook = (fn: () => Promise<void>, timeout?: number) => void

/** Jest's `expect` and hooks, from the globals or from `@jest/globals`. */
export interface JestGlobalsLike {
  expect: ExpectLike
  afterEach: Hook
  afterAll: Hook
}

interface PendingMeasurement {
  settled: boolean
  done: Promise<void>
  /** The guard stopped it because its test ended: its own outcome is then reported by the guard, not thrown. */
  stoppedByGuard: boolean
}

/**
 * The hooks wait for a measurement that is still running: they abort it first (it stops at the next call boundary),
 * so this is only a backstop.
 */
const GUARD_TIMEOUT_MS = 60_000

/** The part of jest-circus's state leakproof reads: the running test's timeout and start. Not public API. */
interface CircusState {
  testTimeout?: unknown
  currentlyRunningTest?: { timeout?: unknown; startedAt?: unknown } | null
}

/**
 * jest-circus keeps its state on the test file's global under a symbol it does not export. When it is there, the
 * measurement's deadline follows the test's own timeout (`testTimeout`, `jest.setTimeout`, the third argument of
 * `test`); when it is not (another runner, a future Jest), the default deadline fits Jest's default 5 s.
 */
function circusState(): CircusState | undefined {
  const symbol = Object.getOwnPropertySymbols(globalThis).find((s) => s.description === 'JEST_STATE_SYMBOL')
  const state = symbol ? (globalThis as Record<symbol, unknown>)[symbol] : undefined
  return typeof state === 'object' && state !== null ? (state as CircusState) : undefined
}

function jestRunnerContext(signal: AbortSignal): RunnerContext {
  const state = circusState()
  const test = state?.currentlyRunningTest
  const own = typeof test?.timeout === 'number' ? test.timeout : undefined
  const configured = typeof state?.testTimeout === 'number' ? state.testTimeout : undefined
  const startedAt = typeof test?.startedAt === 'number' ? test.startedAt : undefined
  return {
    source: 'jest',
    testTimeoutMs: own ?? configured ?? 0,
    elapsedMs: startedAt === undefined ? 0 : Math.max(0, Date.now() - startedAt),
    signal,
  }
}

function stillRunningMessage(report: LeakReport | undefined): string {
  const why =
    report?.mode === 'sync'
      ? 'fn schedules timers, so the measurement lets the event loop turn between batches and returns a promise'
      : 'fn is async, so the measurement returns a promise'
  const outcome = report
    ? ` It finished after the test: ${report.leaked ? 'leak' : 'no leak'}, ${summarizeReport(report)}.`
    : ''
  return (
    'leakproof: expect(fn).toLeak() was still running when the test ended, so its verdict could not fail the test. ' +
    `${why}: write \`await expect(fn).not.toLeak()\` in an async test. If you did await it, the test timed out ` +
    `first: give the test more time (test(name, fn, 30_000)). The measurement was stopped when the test ended.${outcome}`
  )
}

/**
 * Registers `toLeak` on Jest's `expect`, records every report for the reporter (when it runs), and fails a test
 * that left an async `toLeak` running: without the guard its verdict would be lost or blamed on a later test.
 */
export function installToLeak({ expect, afterEach, afterAll }: JestGlobalsLike): void {
  const address = addressForThisProcess(process.env, process.pid, process.ppid)
  const pending = new Set<PendingMeasurement>()
  let lastReport: LeakReport | undefined
  // One controller per test: aborted when the test ends with a measurement still running.
  let controller = new AbortController()

  // Which toLeak of the running test this is; the afterEach guard starts the count again for the next test.
  let assertionCount = 0

  const toLeak = createToLeakMatcher({
    runner: () => jestRunnerContext(controller.signal),
    assertion() {
      const { currentTestName, testPath } = expect.getState()
      if (!currentTestName || !testPath) return undefined
      assertionCount += 1
      // Jest's full name (titles joined by spaces): what `-t` matches and what its results call `fullName`.
      return { test: currentTestName, file: testPath, index: assertionCount }
    },
    onReport(report) {
      lastReport = report
      if (!address) return
      const { currentTestName, testPath } = expect.getState()
      writeRecord(address.dir, { testName: currentTestName, testPath, report })
    },
    onAsync(promise, context) {
      // Measurements never overlap: the next report (if the measurement does not throw) is this one's.
      lastReport = undefined
      const measurement: PendingMeasurement = { settled: false, done: Promise.resolve(), stoppedByGuard: false }
      // Attached before Jest's own handler, so an awaited matcher is marked settled before the test resumes.
      measurement.done = promise.then(
        () => {
          measurement.settled = true
        },
        () => {
          measurement.settled = true
        },
      )
      pending.add(measurement)
      // A measurement the guard stopped (nobody awaited it) resolves quietly: the guard's own error fails the test,
      // and a rejection here would reach Jest as an unhandled one.
      return promise.catch((error: unknown) => {
        if (measurement.stoppedByGuard) return { pass: !context.isNot, message: () => '' }
        throw error
      })
    },
  })
  expect.extend({ toLeak })

  const guard = async () => {
    assertionCount = 0
    const running = [...pending].filter((measurement) => !measurement.settled)
    pending.clear()
    const ending = controller
    controller = new AbortController()
    if (running.length === 0) return
    // Stop it at its next call boundary and let it release the process, or the next test's measurement would
    // overlap it.
    for (const measurement of running) measurement.stoppedByGuard = true
    ending.abort(new Error('the test ended while the measurement was running'))
    await Promise.all(running.map((measurement) => measurement.done))
    throw new Error(stillRunningMessage(lastReport))
  }
  afterEach(guard, GUARD_TIMEOUT_MS)
  afterAll(guard, GUARD_TIMEOUT_MS)
}
