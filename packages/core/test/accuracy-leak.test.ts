import { describe, expect, it } from 'vitest'
import { asyncLeakCases, leakCases } from '../bench/cases.mjs'
import { measureLeak } from '../src/index.js'
import { expectSync, explain } from './sync.js'

const RUNS = 3
// The verdict is what is under test here; diagnosis (which runs only after it) has its own tests.
const NO_DIAGNOSIS = { diagnose: false } as const

describe('real leaks are caught on the heap metric', () => {
  for (const testCase of leakCases) {
    it(`sync: ${testCase.name}`, () => {
      for (let run = 0; run < RUNS; run++) {
        const report = expectSync(measureLeak(testCase.make(), NO_DIAGNOSIS))
        expect(report.leaked, explain(report, run)).toBe(true)
        expect(report.metrics.heap.exceeded).toBe(true)
        expect(report.metrics.external.exceeded).toBe(false)
      }
    })
  }

  for (const testCase of asyncLeakCases) {
    it(`async: ${testCase.name}`, async () => {
      for (let run = 0; run < RUNS; run++) {
        const report = await measureLeak(testCase.make(), NO_DIAGNOSIS)
        expect(report.mode).toBe('async')
        expect(report.leaked, explain(report, run)).toBe(true)
        expect(report.metrics.heap.exceeded).toBe(true)
      }
    })
  }

  it('reports about 64 B/call for one empty object per call (8-byte array slot + 56-byte object)', () => {
    const report = expectSync(measureLeak(leakCases[0]?.make() ?? (() => {}), NO_DIAGNOSIS))
    expect(report.metrics.heap.perCall).toBeGreaterThan(48)
    expect(report.metrics.heap.perCall).toBeLessThan(96)
  })
})
