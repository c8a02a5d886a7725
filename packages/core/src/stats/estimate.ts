/** A point of a growth series: cumulative calls (x) and a post-GC reading (y). */
export interface Point {
  x: number
  y: number
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list')
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/**
 * Theil–Sen slope: the median of all pairwise slopes. Ignores up to ~29% of wild points (JIT spikes, a GC that
 * left a page behind), unlike least squares and last-minus-first.
 */
export function theilSenSlope(points: readonly Point[]): number {
  const slopes: number[] = []
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const a = points[i] as Point
      const b = points[j] as Point
      if (b.x !== a.x) slopes.push((b.y - a.y) / (b.x - a.x))
    }
  }
  return slopes.length === 0 ? 0 : median(slopes)
}

/**
 * Slope between the medians of the first and last thirds. Catches growth that comes in steps (a Map doubling its
 * table), which Theil–Sen and the median of batch deltas read as zero when a step falls near the window's edge.
 */
export function thirdsSlope(points: readonly Point[]): number {
  if (points.length < 2) return 0
  const third = Math.max(1, Math.floor(points.length / 3))
  const head = points.slice(0, third)
  const tail = points.slice(points.length - third)
  const dx = median(tail.map((p) => p.x)) - median(head.map((p) => p.x))
  if (dx === 0) return 0
  return (median(tail.map((p) => p.y)) - median(head.map((p) => p.y))) / dx
}

/**
 * The series with transient peaks removed: a reading more than `tolerance` above the (settled) one that follows it is
 * lowered to that one. Memory that the next post-GC reading no longer holds was not retained — it was garbage one GC
 * had not freed yet (objects with weak callbacks or finalizers, such as Intl formatters, go in a later collection).
 * Single readings 170–190 KB above both neighbours were seen in luxon; in the last third of a window one passed for
 * growth. Growth, in steps or not, is never lowered: a retained byte is still there in the next reading. Drops within
 * the tolerance (noise) are left alone, so noise does not bias the slope; the last reading has no successor and is
 * kept (a pass reads one that rose out of line again: `risesOutOfLine`).
 */
export function withoutTransientPeaks(points: readonly Point[], tolerance: number): Point[] {
  const ys = settle(
    points.map((point) => point.y),
    tolerance,
  )
  return points.map((point, i) => (ys[i] === point.y ? point : { x: point.x, y: ys[i] as number }))
}

/**
 * The values with transient peaks lowered, from the last one back: a value more than `tolerance` above the settled
 * value after it is lowered to that, so garbage that outlived two or three GCs in a row (two readings 70–90 KB above
 * the next, seen in a loaded run) is lowered as a whole, not only its last reading.
 */
export function settle(values: readonly number[], tolerance: number): number[] {
  const settled = values.slice()
  for (let i = settled.length - 2; i >= 0; i--) {
    const next = settled[i + 1] as number
    if ((settled[i] as number) - next > tolerance) settled[i] = next
  }
  return settled
}

/** A rise past this many noise floors over the reading before is out of line when the series' steps so far are not. */
const OUT_OF_LINE_FLOORS = 4
/** … and past this many times the median of the series' earlier steps. */
const OUT_OF_LINE_STEPS = 4

/**
 * Whether `value`, the reading after `values[0..count-1]`, rose out of line with them: by more than 4 noise floors
 * and more than 4 times the median step so far. Such a reading is taken again after one more GC, with no call in
 * between, and the lower kept: retained memory cannot shrink without calls, garbage one GC left can. A reading with no
 * successor cannot be settled by the next (`withoutTransientPeaks`): in Vitest workers single post-GC readings stood
 * 150–250 KB above their neighbours, one of them a pass's last, and a leak of ~600 B/call read 2,850 B/call there.
 */
export function risesOutOfLine(values: ArrayLike<number>, count: number, value: number, floor: number): boolean {
  if (count < 1) return false
  const rise = value - (values[count - 1] as number)
  if (rise <= OUT_OF_LINE_FLOORS * floor) return false
  const steps = stepsOf(values, count)
  return steps.length === 0 || rise > OUT_OF_LINE_STEPS * Math.max(0, median(steps))
}

/** The growth from each of the first `count` values to the next. */
export function stepsOf(values: ArrayLike<number>, count = values.length): number[] {
  const steps: number[] = []
  for (let i = 1; i < count; i++) steps.push((values[i] as number) - (values[i - 1] as number))
  return steps
}

/**
 * Growth per call of a series, robust to isolated spikes and sensitive to step growth: the larger of the
 * Theil–Sen slope and the slope between the medians of the first and last thirds, on the series without transient
 * peaks larger than `peakTolerance` (none removed by default). Erring high is safe because a suspected leak is
 * re-measured with more calls before it is called one.
 */
export function growthPerCall(points: readonly Point[], peakTolerance = Number.POSITIVE_INFINITY): number {
  const settled = withoutTransientPeaks(points, peakTolerance)
  return Math.max(theilSenSlope(settled), thirdsSlope(settled))
}

/** The judged part of a pass: its later two thirds, so a cache that fills in the first third is not judged. */
export function judgedWindow<T>(samples: readonly T[]): T[] {
  const start = Math.floor((samples.length - 1) / 3)
  return samples.slice(start)
}
