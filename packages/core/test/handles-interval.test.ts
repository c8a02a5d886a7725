import { describe, expect, it } from 'vitest'
import { failingMetrics, formatLeakReport, measureLeak } from '../src/index.js'

const RUNS = 3

describe('handles: setInterval', () => {
  it('fails on handles (and heap) when the interval is never cleared, naming Timeout and the line', async () => {
    for (let run = 0; run < RUNS; run++) {
      const timers: NodeJS.Timeout[] = []
      const report = await measureLeak(
        () => {
          timers.push(setInterval(() => {}, 60_000))
        },
        { callsPerBatch: 200, diagnose: false },
      )
      for (const timer of timers) clearInterval(timer)
      const text = formatLeakReport(report)
      // Each live Timeout also holds ~100–300 B of heap: heap fails too, handles says why.
      expect(failingMetrics(report), text).toEqual(['heap', 'handles'])
      expect(report.metrics.handles.perCall).toBeCloseTo(1, 1)
      expect(report.metrics.handles.measured).toBe(true)
      const timeout = report.details.handles.find((detail) => detail.type === 'Timeout')
      expect(timeout?.perCall).toBeCloseTo(1, 1)
      expect(timeout?.stacks[0]).toContain('handles-interval.test.ts')
      expect(text).toMatch(/Timeout 1\.00\/call .* created at .*handles-interval\.test\.ts/)
    }
  })

  it('is judged by the handles budget alone when the heap budget allows the timers', async () => {
    const timers: NodeJS.Timeout[] = []
    const report = await measureLeak(
      () => {
        timers.push(setInterval(() => {}, 60_000))
      },
      { callsPerBatch: 200, budget: { heap: 4096 }, diagnose: false },
    )
    for (const timer of timers) clearInterval(timer)
    expect(failingMetrics(report), formatLeakReport(report)).toEqual(['handles'])
  })

  it('passes when the interval is cleared', async () => {
    for (let run = 0; run < RUNS; run++) {
      const report = await measureLeak(() => {
        clearInterval(setInterval(() => {}, 60_000))
      })
      expect(failingMetrics(report), formatLeakReport(report)).toEqual([])
      expect(report.metrics.handles.measured).toBe(true)
      expect(report.details.handles).toEqual([])
    }
  })
})
