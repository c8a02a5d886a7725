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

  // V8 frees dead ArrayBuffers' memory on a background thread and subtracts it from external memory only when that
  // sweep is finalised: read after one GC, 450 dead 64 KiB Buffers still counted 29 MiB and passed the 24 MiB cap.
  it('passes with a 64 KiB Buffer thrown away per call, sync and async, on default options', async () => {
    const sync = () => Buffer.alloc(65_536).fill(1).length
    const async = async () => {
      await null
      return Buffer.alloc(65_536).fill(1).length
    }
    for (let run = 0; run < RUNS; run++) {
      for (const report of [expectSync(measureLeak(sync)), await measureLeak(async)]) {
        expect(failingMetrics(report), formatLeakReport(report)).toEqual([])
        expect(report.limits.stop, report.verdict).not.toBe('cap')
      }
    }
  })
})
