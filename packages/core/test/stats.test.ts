import { describe, expect, it } from 'vitest'
import { decideMetric } from '../src/stats/decide.js'
import { growthPerCall, judgedWindow, median, type Point, theilSenSlope, thirdsSlope } from '../src/stats/estimate.js'

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
