import { describe, expect, it } from 'vitest'
import { DEFAULT_DEADLINE_MS, measureLeak } from '../src/index.js'
import { expectSync, explain } from './sync.js'

// Functions too slow for the default sensitivity within their deadline: the verdict their calls support, and a
// report that says what they could see. A leak with the evidence for it is never let through.
const sab = new Int32Array(new SharedArrayBuffer(4))
/** Blocks for `ms` without allocating (no JIT-compiled busy loop either). */
const block = (ms: number) => Atomics.wait(sab, 0, 0, ms)

describe('a slow function under a deadline', () => {
  // ~250 calls fit: a leak of ~500 B/call grows ~100 KB, well out of the noise; one of ~70 B/call grows ~15 KB, near
  // the 4 KiB floor, and is reported with what the run could see (next test).
  it('a leak of ~500 B/call at 1 ms per call is caught under a 500 ms deadline', () => {
    const kept: unknown[] = []
    for (let run = 0; run < 3; run++) {
      kept.length = 0
      const report = expectSync(
        measureLeak(
          () => {
            block(1)
            kept.push(new Array(60).fill(kept.length))
          },
          { deadlineMs: 500, diagnose: false },
        ),
      )
      expect(report.limits.deadlineMs).toBe(500)
      expect(report.leaked, explain(report, run)).toBe(true)
      expect(report.metrics.heap.perCall).toBeGreaterThan(report.metrics.heap.detectable)
    }
  })

  it('clean code at 5 ms per call is clean, and the verdict says what it could see and what deadline would do', () => {
    const report = expectSync(measureLeak(() => block(5), { diagnose: false }))
    expect(report.leaked, report.verdict).toBe(false)
    expect(report.limits.deadlineMs).toBe(DEFAULT_DEADLINE_MS)
    expect(report.limits.deadlineSource).toBe('default')
    expect(report.metrics.heap.detectable).toBeGreaterThan(report.metrics.heap.budget)
    expect(report.verdict).toMatch(
      /it could see a heap leak of [\d.]+ B\/call or more, not one at the 0\.25 B\/call budget: a deadline of about [\d,]+ (s|ms) would/,
    )
  })

  it('a fast clean function reaches the default sensitivity and says nothing of it', () => {
    const report = expectSync(measureLeak(() => ({ id: 1 }).id))
    expect(report.leaked).toBe(false)
    expect(report.metrics.heap.detectable).toBeLessThanOrEqual(report.metrics.heap.budget)
    expect(report.verdict).not.toContain('could see')
  })
})
