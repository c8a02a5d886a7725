import { createToLeakMatcher, type LeakReport, summarizeReport } from '@leakproof/core'
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
}

/**
 * The hooks wait for a measurement that is still running: its own limits (timeBudgetMs, callTimeoutMs) end it,
 * so this only has to be longer than any of them.
 */
const GUARD_TIMEOUT_MS = 600_000

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
    `first: give the test more time (test(name, fn, 30_000)).${outcome}`
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

  const toLeak = createToLeakMatcher({
    onReport(report) {
      lastReport = report
      if (!address) return
      const { currentTestName, testPath } = expect.getState()
      writeRecord(address.dir, { testName: currentTestName, testPath, report })
    },
    onAsync(promise) {
      // Measurements never overlap: the next report (if the measurement does not throw) is this one's.
      lastReport = undefined
      const measurement: PendingMeasurement = { settled: false, done: Promise.resolve() }
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
    },
  })
  expect.extend({ toLeak })

  const guard = async () => {
    const running = [...pending].filter((measurement) => !measurement.settled)
    pending.clear()
    if (running.length === 0) return
    // Let it finish here, or the next test's measurement would overlap it.
    await Promise.all(running.map((measurement) => measurement.done))
    throw new Error(stillRunningMessage(lastReport))
  }
  afterEach(guard, GUARD_TIMEOUT_MS)
  afterAll(guard, GUARD_TIMEOUT_MS)
}
