import { describe, expect, it } from 'vitest'
import type { LeakPass } from '../src/report.js'
import { decideMetric } from '../src/stats/decide.js'
import {
  growthPerCall,
  judgedWindow,
  median,
  type Point,
  risesOutOfLine,
  theilSenSlope,
  thirdsSlope,
  withoutTransientPeaks,
} from '../src/stats/estimate.js'
import { burstAfter, spanReading } from '../src/stats/span.js'

// Deliberately simple reference implementations: obvious code, no shortcuts.
function referenceMedian(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b)
  const n = sorted.length
  if (n % 2 === 1) return sorted[(n - 1) / 2] as number
  return ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2
}

function referenceTheilSen(points: Point[]): number {
  const slopes: number[] = []
  for (const a of points) {
    for (const b of points) {
      if (b.x > a.x) slopes.push((b.y - a.y) / (b.x - a.x))
    }
  }
  return slopes.length === 0 ? 0 : referenceMedian(slopes)
}

/** Park–Miller generator: the same "random" series on every run. */
function seededRandom(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 48271) % 2147483647
    return state / 2147483647
  }
}

function series(slope: number, count: number, noise: number, random: () => number): Point[] {
  return Array.from({ length: count }, (_, i) => ({
    x: i * 1000,
    y: 1e6 + slope * i * 1000 + (random() - 0.5) * noise,
  }))
}

describe('median', () => {
  it('matches the reference on odd and even lengths', () => {
    const random = seededRandom(7)
    for (let length = 1; length < 30; length++) {
      const values = Array.from({ length }, () => Math.round(random() * 1000) - 500)
      expect(median(values)).toBe(referenceMedian(values))
    }
  })

  it('rejects an empty list', () => {
    expect(() => median([])).toThrow(RangeError)
  })
})

describe('theilSenSlope', () => {
  it('matches the reference on 200 noisy series', () => {
    const random = seededRandom(42)
    for (let trial = 0; trial < 200; trial++) {
      const points = series(random() * 100 - 50, 4 + Math.floor(random() * 20), random() * 5e5, random)
      expect(theilSenSlope(points)).toBeCloseTo(referenceTheilSen(points), 9)
    }
  })

  it('is exact on a straight line', () => {
    expect(theilSenSlope(series(64, 8, 0, Math.random))).toBeCloseTo(64, 9)
  })

  it('ignores one wild spike (a JIT burst) where least squares would not', () => {
    const points = series(0, 8, 0, Math.random)
    ;(points[5] as Point).y += 340_000
    expect(theilSenSlope(points)).toBe(0)
  })
})

describe('thirdsSlope', () => {
  it('sees a single step near the end of the window that Theil–Sen reads as zero', () => {
    const points = series(0, 8, 0, Math.random).map((p, i) => (i >= 7 ? { ...p, y: p.y + 300_000 } : p))
    expect(theilSenSlope(points)).toBe(0)
    expect(thirdsSlope(points)).toBeGreaterThan(0)
    expect(growthPerCall(points)).toBe(thirdsSlope(points))
  })

  it('is exact on a straight line', () => {
    expect(thirdsSlope(series(0.64, 9, 0, Math.random))).toBeCloseTo(0.64, 9)
  })
})

describe('withoutTransientPeaks', () => {
  it('lowers a reading the next one no longer holds; keeps steps, growth and drops within the tolerance', () => {
    const ys = [0, 1000, 500, 180_000, 2000, 2000, 90_000, 90_000]
    const points = ys.map((y, i) => ({ x: i, y }))
    expect(withoutTransientPeaks(points, 4096).map((p) => p.y)).toEqual([
      0, 1000, 500, 2000, 2000, 2000, 90_000, 90_000,
    ])
  })

  it('a post-GC spike in the last third no longer passes for growth (luxon: +170 KB for one reading)', () => {
    const points = series(0, 8, 0, Math.random)
    ;(points[6] as Point).y += 170_000
    expect(growthPerCall(points)).toBeGreaterThan(0)
    expect(growthPerCall(points, 4096)).toBe(0)
  })

  it('lowers garbage that outlived two GCs in a row as a whole, not only its last reading', () => {
    const ys = [0, 132_000, 135_000, 46_000, 62_000]
    const points = ys.map((y, i) => ({ x: i, y }))
    expect(withoutTransientPeaks(points, 4096).map((p) => p.y)).toEqual([0, 46_000, 46_000, 46_000, 62_000])
  })

  it('leaves a step at the last reading to the thirds slope', () => {
    const points = series(0, 8, 0, Math.random).map((p, i) => (i >= 7 ? { ...p, y: p.y + 300_000 } : p))
    expect(growthPerCall(points, 4096)).toBe(thirdsSlope(points))
  })
})

describe('risesOutOfLine: a reading taken again after one more GC', () => {
  const floor = 4096
  // A Vitest worker's pass 1 of a ~600 B/call leak at 7 calls per batch: readings, KB over the first.
  const pass = [0, 4.8, 9.2, 13.4, 20.7, 28.3, 33.0, 37.0, 40.7].map((kb) => kb * 1000)

  it('a rise of 230 KB after steps of ~4 KB is out of line, at the last reading as anywhere', () => {
    expect(risesOutOfLine(pass, pass.length, 269_500, floor)).toBe(true)
    expect(risesOutOfLine(pass, 5, 271_600, floor)).toBe(true)
  })

  it('the leak going on at its rate is not, nor a rise within 4 floors', () => {
    expect(risesOutOfLine(pass, pass.length, 45_000, floor)).toBe(false)
    expect(risesOutOfLine([0, 0, 0, 0], 4, 4 * floor, floor)).toBe(false)
  })

  it('a large leak whose every step is large is not, but its first step past 4 floors is', () => {
    const big = [0, 100_000, 200_000, 300_000]
    expect(risesOutOfLine(big, big.length, 400_000, floor)).toBe(false)
    expect(risesOutOfLine(big, 1, 100_000, floor)).toBe(true)
    expect(risesOutOfLine(big, 0, 100_000, floor)).toBe(false)
  })
})

describe('judgedWindow', () => {
  it('keeps the later two thirds of a pass (baseline + 10 batches → samples 3..10)', () => {
    const samples = Array.from({ length: 11 }, (_, i) => i)
    expect(judgedWindow(samples)).toEqual([3, 4, 5, 6, 7, 8, 9, 10])
  })
})

describe('decideMetric', () => {
  const clear = (rate: number) => ({ rate, growth: 1e6, floor: 4096 })
  const faint = (rate: number) => ({ rate, growth: 3000, floor: 4096 })
  const tiny = (rate: number) => ({ rate, growth: 500, floor: 4096 })
  it.each([
    { name: 'under budget', readings: [clear(0.1)], confirm: true, last: false, state: 'clean' },
    { name: 'first pass over budget', readings: [clear(64)], confirm: true, last: false, state: 'suspect' },
    { name: 'over budget, no confirmation', readings: [clear(64)], confirm: false, last: true, state: 'leak' },
    { name: 'holds its rate', readings: [clear(64), clear(60)], confirm: true, last: false, state: 'leak' },
    { name: 'fades by more than half', readings: [clear(30), clear(7)], confirm: true, last: false, state: 'suspect' },
    { name: 'keeps fading', readings: [clear(30), clear(7), clear(1.7)], confirm: true, last: true, state: 'clean' },
    { name: 'fades under budget', readings: [clear(3), clear(0.2)], confirm: true, last: false, state: 'clean' },
    { name: 'step growth', readings: [clear(30), clear(15.3), clear(61)], confirm: true, last: true, state: 'leak' },
    { name: 'within noise, passes left', readings: [faint(20)], confirm: true, last: false, state: 'suspect' },
    { name: 'far inside the noise', readings: [tiny(20)], confirm: true, last: false, state: 'clean' },
    { name: 'within noise at the end', readings: [faint(20), faint(8)], confirm: true, last: true, state: 'clean' },
    {
      name: 'a burst in the last pass only',
      readings: [faint(1.8), clear(44)],
      confirm: true,
      last: true,
      state: 'clean',
    },
    {
      name: 'too few calls to stand out, then the same rate plainly in the last pass',
      readings: [faint(100), clear(120)],
      confirm: true,
      last: true,
      state: 'leak',
    },
    {
      name: 'too few calls to stand out, passes left',
      readings: [faint(100), clear(120)],
      confirm: true,
      last: false,
      state: 'suspect',
    },
    {
      name: 'seen late, then held',
      readings: [faint(60), clear(64), clear(64)],
      confirm: true,
      last: true,
      state: 'leak',
    },
  ] as const)('$name → $state', ({ readings, confirm, last, state }) => {
    expect(decideMetric(readings, 0.25, confirm, last)).toBe(state)
  })
})

describe('decideMetric: a rate that fell by more than half at the last pass', () => {
  // The async leak behind setTimeout(0) under load: pass 1 read 546 B/call (its first calls' one-time costs), pass 2
  // 92 B/call, steadily to its end, ~92 KB over its own window against a 16 KiB floor.
  const lastReading = (steadyRate: number, late: number, ownGrowth: number) => ({
    rate: 269,
    growth: 5e5,
    floor: 16_384,
    own: { rate: 92, growth: ownGrowth, noise: 2000 },
    steady: { rate: steadyRate, late, calls: 1000 },
  })
  const first = { rate: 546, growth: 5e5, floor: 16_384, steady: { rate: 540, late: 540, calls: 280 } }
  it.each([
    { name: 'newest calls grow plainly and steadily', reading: lastReading(92, 92, 92_000), state: 'leak' },
    { name: 'newest calls grow by under four floors', reading: lastReading(92, 92, 40_000), state: 'clean' },
    { name: 'the later half of the last pass is flat', reading: lastReading(92, 0, 92_000), state: 'clean' },
  ] as const)('$name → $state', ({ reading, state }) => {
    expect(decideMetric([first, reading], 0.25, true, true)).toBe(state)
  })
})

describe('decideMetric: a rate that falls while over budget extends the horizon', () => {
  // A confirmation reading: the span's rate, and the last pass's own window (the newest calls).
  const span = (rate: number, own: number, noise = 0, ownGrowth = own * 10_000) => ({
    rate,
    growth: 1e6,
    floor: 4096,
    own: { rate: own, growth: ownGrowth, noise },
  })
  const first = (rate: number) => ({ rate, growth: 1e6, floor: 4096 })
  it.each([
    {
      name: 'steady leak: the newest calls keep the span rate',
      readings: [first(64), span(67, 65.9)],
      last: false,
      canExtend: true,
      state: 'leak',
    },
    {
      name: 'luxon at pass 2: the span rate held, the newest calls grow at a third of it',
      readings: [first(22.7), span(20.6, 7)],
      last: false,
      canExtend: true,
      state: 'fading',
    },
    {
      name: 'steady-looking but within the batch-to-batch noise (28 KB of growth, 19 KB noise)',
      readings: [first(18.4), span(21.5, 14.8, 19_000, 28_000)],
      last: false,
      canExtend: true,
      state: 'fading',
    },
    {
      name: 'still fading after pass 3, and a longer pass fits',
      readings: [first(22.7), span(20.6, 7), span(20.3, 3)],
      last: true,
      canExtend: true,
      state: 'fading',
    },
    {
      name: 'levelled off when the horizon cannot grow',
      readings: [first(22.7), span(20.6, 7), span(20.3, 3)],
      last: true,
      canExtend: false,
      state: 'clean',
    },
    {
      name: 'fell by more than half once extended',
      readings: [first(22.7), span(20.6, 7), span(8, 0.9)],
      last: true,
      canExtend: true,
      state: 'clean',
    },
    {
      name: "a Map of objects between table doublings: the entries' own rate never fell",
      readings: [first(32), span(75.4, 32), span(104.9, 32), span(81.2, 32)],
      last: true,
      canExtend: false,
      state: 'leak',
    },
    {
      name: 'a Map doubling its table in the last span: the span rate rose',
      readings: [first(75.7), span(76.4, 32), span(88.2, 32), span(107.2, 32)],
      last: true,
      canExtend: false,
      state: 'leak',
    },
    {
      name: 'a TTL cache whose flat last pass lifted the robust slope of the span: no growth, no rise',
      readings: [first(6.47), span(0.56, 4.78), { ...span(2.96, 0.03), passGrowth: 900 }],
      last: true,
      canExtend: false,
      state: 'clean',
    },
    {
      name: 'the same span rise with a step in the last pass (a Map doubling its table before its own window)',
      readings: [first(6.47), span(0.56, 4.78), { ...span(2.96, 0.03), passGrowth: 200_000 }],
      last: true,
      canExtend: false,
      state: 'leak',
    },
    {
      name: 'newest calls still at half the span rate when the horizon cannot grow',
      readings: [first(22.7), span(20.6, 7), span(20.3, 10)],
      last: true,
      canExtend: false,
      state: 'leak',
    },
  ] as const)('$name → $state', ({ readings, last, canExtend, state }) => {
    expect(decideMetric(readings, 0.25, true, last, canExtend)).toBe(state)
  })
})

describe('a confirmation pass with garbage that outlived two GCs', () => {
  // A pass of 27 calls per batch, its readings as measured (heap only), judged as the engine judges it.
  function pass(callsPerBatch: number, heaps: number[]): LeakPass {
    const samples = heaps.map((heap, i) => ({
      calls: i * callsPerBatch,
      heap,
      external: 0,
      handles: 0,
      descriptors: 0,
      listeners: 0,
    }))
    const window = judgedWindow(samples)
    const heap = growthPerCall(
      window.map((s) => ({ x: s.calls, y: s.heap })),
      4096,
    )
    const rates = { heap, external: 0, handles: 0, descriptors: 0, listeners: 0 }
    return {
      callsPerBatch,
      samples,
      windowStart: samples.length - window.length,
      rates,
      durationMs: 100,
      runaway: false,
    }
  }

  it('does not overturn a clear pass 1 (a 500 B/call leak under a 500 ms deadline, loaded CI)', () => {
    // Pass 2's first two readings held ~70–90 KB that the third no longer did: it read −435 B/call and cleared the leak.
    const first = pass(27, [0, 15_648, 31_216, 45_264, 62_376])
    const second = pass(27, [0, 132_432, 134_968, 46_264, 61_912])
    expect(second.rates.heap).toBeGreaterThan(0.25)
    const readings = [spanReading([first], 'heap', 4096), spanReading([first, second], 'heap', 4096)]
    expect(readings[1]?.rate).toBeGreaterThan(100)
    expect(decideMetric(readings, 0.25, true, true, false)).toBe('leak')
  })
})

describe('a burst in the last pass, after a pass that could have seen its rate', () => {
  const floor = 16 * 1024
  // A pass whose judged window (its later two thirds) covers `windowCalls` calls at `rate` B/call.
  function passAt(rate: number, windowCalls: number): LeakPass {
    const batches = 10
    const perBatch = Math.ceil(windowCalls / 7)
    const samples = Array.from({ length: batches + 1 }, (_, i) => ({
      calls: i * perBatch,
      heap: i * perBatch * rate,
      external: 0,
      handles: 0,
      descriptors: 0,
      listeners: 0,
    }))
    const rates = { heap: rate, external: 0, handles: 0, descriptors: 0, listeners: 0 }
    return { callsPerBatch: perBatch, samples, windowStart: 3, rates, durationMs: 100, runaway: false }
  }

  it('is a burst when the earlier window would have grown 2 floors at that rate and read under half of it', () => {
    // axios, clean, both cores busy: 35 B/call over 378 calls, then 203 B/call in the next pass's window.
    expect(burstAfter([passAt(35, 378)], passAt(203, 777), 'heap', floor)).toBe(true)
  })

  it('is not a burst when the earlier pass had too few calls to see it, or read the same rate', () => {
    expect(burstAfter([passAt(35, 70)], passAt(203, 777), 'heap', floor)).toBe(false)
    expect(burstAfter([passAt(190, 378)], passAt(203, 777), 'heap', floor)).toBe(false)
  })
})
