import { expect } from 'vitest'
import type { LeakReport } from '../src/index.js'

/** Asserts that a measurement finished synchronously and returns the report. */
export function expectSync(result: LeakReport | Promise<LeakReport>): LeakReport {
  expect(result).not.toBeInstanceOf(Promise)
  return result as LeakReport
}

/** The verdict and every pass's post-GC heap growth, for assertion messages of accuracy tests. */
export function explain(report: LeakReport, run: number): string {
  const passes = report.passes.map(
    (pass) =>
      `${pass.callsPerBatch}/batch: ${pass.samples.map((s) => s.heap - (pass.samples[0]?.heap ?? 0)).join(' ')} → ` +
      `${pass.rates.heap.toFixed(2)} B/call`,
  )
  return `run ${run + 1}: ${report.verdict}\n${passes.join('\n')}`
}
