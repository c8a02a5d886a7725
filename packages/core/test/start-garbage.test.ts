import { expect, test } from 'vitest'
import { measureLeak } from '../src/index.js'
import type { LeakReport } from '../src/report.js'

// A leak test whose leak its afterEach frees leaves that memory as garbage for the next measurement. The next one
// must not count it in its start reading: a leak big enough to reach the cap before its first pass is judged on the
// growth since the start, which would read low by as much (half the rate, at twice the cap) once a GC frees it.
const kept: number[][] = []
const bigLeak = () => {
  kept.push(new Array(12_800).fill(1.5))
}
const sync = (report: LeakReport | Promise<LeakReport>) => {
  if (report instanceof Promise) throw new Error('expected a synchronous measurement')
  return report
}

test('a leak measured right after another one freed its memory reads the same rate and stops at the cap', () => {
  const reports: LeakReport[] = []
  for (let run = 0; run < 3; run++) {
    kept.length = 0
    reports.push(sync(measureLeak(bigLeak, { diagnose: false })))
  }
  kept.length = 0
  const [first, ...later] = reports as [LeakReport, ...LeakReport[]]
  expect(first.limits.stop).toBe('cap')
  // 12,800 doubles: about 100 KiB per call.
  expect(first.metrics.heap.perCall).toBeGreaterThan(90_000)
  for (const report of later) {
    expect(report.limits.stop).toBe('cap')
    expect(report.metrics.heap.perCall / first.metrics.heap.perCall).toBeGreaterThan(0.9)
    expect(report.limits.retainedAtStop ?? 0).toBeLessThan(report.limits.maxRetainedBytes * 1.5)
  }
})
