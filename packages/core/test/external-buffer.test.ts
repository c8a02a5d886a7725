import { describe, expect, it } from 'vitest'
import { failingMetrics, formatLeakReport, measureLeak } from '../src/index.js'
import { expectSync } from './sync.js'

// A kept 1 KiB Buffer costs exactly 1024 B of external memory and ~190 B of JS heap (the Buffer object and its
// slot in the array): both are retained memory, so both metrics fail.
const RUNS = 3

describe('external memory: a Buffer kept per call', () => {
  it('fails on external (and on heap, which holds the Buffer objects)', () => {
    for (let run = 0; run < RUNS; run++) {
      const kept: Buffer[] = []
      const report = expectSync(
        measureLeak(() => kept.push(Buffer.alloc(1024)), { turnEventLoop: false, callsPerBatch: 500, diagnose: false }),
      )
      expect(failingMetrics(report), formatLeakReport(report)).toEqual(['heap', 'external'])
      expect(report.metrics.external.perCall).toBeGreaterThan(900)
      expect(report.metrics.external.perCall).toBeLessThan(1150)
      expect(report.metrics.handles.exceeded).toBe(false)
      expect(report.metrics.listeners.exceeded).toBe(false)
    }
  })

  it('is judged by the external budget alone when the heap budget allows the Buffer objects', () => {
    for (let run = 0; run < RUNS; run++) {
      const kept: Buffer[] = []
      const report = expectSync(
        measureLeak(() => kept.push(Buffer.alloc(1024)), {
          turnEventLoop: false,
          callsPerBatch: 500,
          budget: { heap: 1024 },
          diagnose: false,
        }),
      )
      expect(failingMetrics(report), formatLeakReport(report)).toEqual(['external'])
      expect(formatLeakReport(report)).toMatch(/external .* LEAK/)
    }
  })

  it('passes with a bounded Buffer pool', () => {
    for (let run = 0; run < RUNS; run++) {
      const pool: Buffer[] = []
      const report = expectSync(
        measureLeak(
          () => {
            pool.push(Buffer.alloc(1024))
            if (pool.length > 100) pool.shift()
          },
          { turnEventLoop: false },
        ),
      )
      expect(failingMetrics(report), formatLeakReport(report)).toEqual([])
      expect(report.metrics.external.measured).toBe(true)
    }
  })
})
