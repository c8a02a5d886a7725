import { describe, expect, it } from 'vitest'
import { measured, quickBench, sink, smiArrayBytes, TAGGED } from './helpers.js'

/** Each call keeps an array of 100 smis, plus one slot (and its amortised share of growth) in `kept`. */
const LEAKED_PER_CALL = smiArrayBytes(100) + TAGGED

describe('retained bytes per operation', () => {
  it('are about 0 for a clean operation', async () => {
    // 5,000 calls per batch: post-GC noise in a Vitest worker (~2 KB per batch) stays well under 1 B per call.
    const bench = quickBench({
      allocationTimeMs: 30,
      budget: { retainedBytesPerOp: 8 },
      leak: { callsPerBatch: 5000 },
    })
    bench.add('clean: garbage only', () => {
      sink.value = new Array(100).fill(0)
    })
    await bench.run()

    const clean = measured(bench.memory.of('clean: garbage only'))
    expect(clean.retained?.exceeded).toBe(false)
    expect(Math.abs(clean.retained?.bytesPerOp ?? Number.NaN)).toBeLessThan(8)
    expect(clean.breaches).toEqual([])
  })

  it('are the leaked size for a leaking operation', async () => {
    const kept: number[][] = []
    // A leak of ~850 B per call stands far above the noise with few calls per batch, and needs no re-measuring.
    const bench = quickBench({ allocationTimeMs: 30, leak: { callsPerBatch: 200, confirm: false } })
    bench.add('leaks an array of 100 smis per call', () => {
      kept.push(new Array(100).fill(0))
    })
    await bench.run()

    const leaky = measured(bench.memory.of('leaks an array of 100 smis per call'))
    expect(leaky.retained?.bytesPerOp).toBeGreaterThan(LEAKED_PER_CALL * 0.9)
    expect(leaky.retained?.bytesPerOp).toBeLessThan(LEAKED_PER_CALL * 1.1)
    expect(leaky.retained?.exceeded).toBe(true)
    expect(leaky.retained?.report.leaked).toBe(true)
    // Everything it retains it also allocated.
    expect(leaky.allocation.bytesPerOp).toBeGreaterThanOrEqual(smiArrayBytes(100) * 0.9)
    kept.length = 0
  })

  it('are the leaked size for a leaking async operation', async () => {
    const kept: number[][] = []
    // 1,000 calls per batch: an async reading carries some KB of event-loop noise (Node 24 more than 20), which at
    // 200 calls per batch read as 160–250 B/call on top of the array on Node 24 (2 runs in 3); at 1,000 it is diluted.
    const bench = quickBench({ allocationTimeMs: 30, leak: { callsPerBatch: 1000, confirm: false } })
    bench.add('async, leaks an array of 100 smis per call', async () => {
      kept.push(new Array(100).fill(0))
    })
    await bench.run()

    const leaky = measured(bench.memory.of('async, leaks an array of 100 smis per call'))
    expect(leaky.allocation.mode).toBe('async')
    expect(leaky.retained?.report.mode).toBe('async')
    expect(leaky.retained?.bytesPerOp).toBeGreaterThan(LEAKED_PER_CALL * 0.9)
    expect(leaky.retained?.bytesPerOp).toBeLessThan(LEAKED_PER_CALL * 1.1)
    kept.length = 0
  })
})
