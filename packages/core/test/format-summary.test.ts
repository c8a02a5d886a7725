import { expect, test } from 'vitest'
import { measureLeak, summarizeReport } from '../src/index.js'
import type { LeakReport } from '../src/report.js'

const report = measureLeak(() => [1, 2, 3].length) as LeakReport

test('a clean verdict under budget reads "≤ budget"', () => {
  expect(report.leaked).toBe(false)
  expect(report.metrics.heap.perCall).toBeLessThanOrEqual(report.metrics.heap.budget)
  expect(summarizeReport(report)).toMatch(/^heap -?\d+\.\d+ B\/call ≤ budget 0\.25 B\/call$/)
})

test('a clean verdict over budget (faded, or in the noise) never claims "≤"', () => {
  const faded = structuredClone(report)
  faded.metrics.heap.perCall = 0.4
  expect(summarizeReport(faded)).toBe(
    'heap 0.40 B/call (over budget 0.25 B/call, but within the noise floor or fading when re-measured)',
  )
})
