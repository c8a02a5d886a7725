import { describe, expect, it } from 'vitest'
import { makeFillingMap, SLOW_FILL } from '../bench/cases.mjs'
import { measureLeak } from '../src/index.js'
import { expectSync, explain } from './sync.js'

const RUNS = 3
// A long deadline pins the pass schedule whatever this machine's speed or load (the default 4 s may cut a pass on a
// the calls of the one before (with the default 3 s a slow or busy machine gets 2× or 3×). Calibration is unchanged
// (20,000 calls per batch for a cheap function either way).
const PINNED = { diagnose: false, deadlineMs: 60_000 } as const

describe('a bounded structure that fills more slowly than the first passes see', () => {
  it('a Map capped at 90,000 entries (one per 8 calls) is clean once the horizon is extended', () => {
    for (let run = 0; run < RUNS; run++) {
      const report = expectSync(measureLeak(makeFillingMap(SLOW_FILL), PINNED))
      const [pass1, pass2] = report.passes
      // Passes 1 and 2 both see ~8 B/call, and pass 2's own window still grows: the rule before this one called
      // that a leak (the span rate held and the newest calls stood out).
      expect(pass1?.rates.heap, explain(report, run)).toBeGreaterThan(4)
      expect(pass2?.cumulativeRates?.heap, explain(report, run)).toBeGreaterThan(4)
      expect(pass2?.rates.heap, explain(report, run)).toBeGreaterThan(report.metrics.heap.budget)
      expect(report.passes.length, explain(report, run)).toBeGreaterThanOrEqual(3)
      expect(report.leaked, explain(report, run)).toBe(false)
      // The figure is the rate of the newest calls: the Map is full.
      expect(report.metrics.heap.perCall).toBeLessThanOrEqual(report.metrics.heap.budget)
    }
  })

  it('its leaky twin (no cap) is a leak, confirmed without extending the horizon', () => {
    for (let run = 0; run < RUNS; run++) {
      const report = expectSync(measureLeak(makeFillingMap({ ...SLOW_FILL, cap: Number.POSITIVE_INFINITY }), PINNED))
      expect(report.leaked, explain(report, run)).toBe(true)
      expect(report.metrics.heap.exceeded).toBe(true)
      expect(report.metrics.heap.perCall).toBeGreaterThan(4)
      expect(report.passes.length, explain(report, run)).toBeLessThanOrEqual(3)
    }
  })

  it('with 1,000 calls per batch, a cap reached after 32,000 calls (inside pass 2) is clean; its twin leaks', () => {
    const options = { ...PINNED, callsPerBatch: 1000 }
    for (let run = 0; run < RUNS; run++) {
      const clean = expectSync(measureLeak(makeFillingMap({ every: 8, cap: 4000 }), options))
      expect(clean.passes[1]?.cumulativeRates?.heap, explain(clean, run)).toBeGreaterThan(4)
      expect(clean.leaked, explain(clean, run)).toBe(false)
      const leaky = expectSync(measureLeak(makeFillingMap({ every: 8, cap: Number.POSITIVE_INFINITY }), options))
      expect(leaky.leaked, explain(leaky, run)).toBe(true)
      expect(leaky.metrics.heap.exceeded).toBe(true)
    }
  })
})
