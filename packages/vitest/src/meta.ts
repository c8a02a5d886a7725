import type { LeakReport } from '@leakproof/core'
import type { RunnerTestCase } from 'vitest'

/** Appends a report to the test's `task.meta.leakproof`, which Vitest sends to reporters with the test result. */
export function recordLeakReport(task: Readonly<RunnerTestCase>, report: LeakReport): void {
  const meta = task.meta as { leakproof?: LeakReport[] }
  meta.leakproof ??= []
  meta.leakproof.push(report)
}

/** The leak reports stored on a test's meta (`testCase.meta()` in a reporter), or an empty list. */
export function leakReportsOf(meta: object | undefined): LeakReport[] {
  const reports = (meta as { leakproof?: unknown } | undefined)?.leakproof
  return Array.isArray(reports) ? (reports as LeakReport[]) : []
}
