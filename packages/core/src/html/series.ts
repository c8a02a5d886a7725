import type { LeakPass, MetricName } from '../report.js'
import { median } from '../stats/estimate.js'

/** One post-GC reading on the run's whole call axis. */
export interface SeriesPoint {
  /** Measured calls since pass 1's baseline (each pass's samples count from 0, and passes follow each other). */
  calls: number
  value: number
}

/** A metric's readings over every pass, against cumulative calls. */
export function cumulativeSeries(passes: readonly LeakPass[], metric: MetricName): SeriesPoint[] {
  const points: SeriesPoint[] = []
  let before = 0
  for (const pass of passes) {
    for (const sample of pass.samples) points.push({ calls: before + sample.calls, value: sample[metric] ?? 0 })
    before += pass.samples.at(-1)?.calls ?? 0
  }
  return points
}

/** Cumulative calls at which each pass after the first starts. */
export function passStarts(passes: readonly LeakPass[]): number[] {
  const starts: number[] = []
  let before = 0
  for (const [index, pass] of passes.entries()) {
    if (index > 0) starts.push(before)
    before += pass.samples.at(-1)?.calls ?? 0
  }
  return starts
}

/**
 * At most `maxPoints` points, in order, keeping each bucket's lowest and highest reading: a spike or a step stays
 * visible, which every-nth-point thinning would drop. Short series come back whole.
 */
export function downsample(points: readonly SeriesPoint[], maxPoints: number): SeriesPoint[] {
  if (points.length <= maxPoints) return [...points]
  const first = points[0] as SeriesPoint
  const last = points.at(-1) as SeriesPoint
  const inner = points.slice(1, -1)
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2))
  const kept: SeriesPoint[] = [first]
  for (let bucket = 0; bucket < buckets; bucket++) {
    const slice = inner.slice(
      Math.floor((bucket * inner.length) / buckets),
      Math.floor(((bucket + 1) * inner.length) / buckets),
    )
    if (slice.length === 0) continue
    let low = 0
    let high = 0
    slice.forEach((point, index) => {
      if (point.value < (slice[low] as SeriesPoint).value) low = index
      if (point.value > (slice[high] as SeriesPoint).value) high = index
    })
    for (const index of low === high ? [low] : [Math.min(low, high), Math.max(low, high)]) {
      kept.push(slice[index] as SeriesPoint)
    }
  }
  kept.push(last)
  return kept
}

/** A straight line on the call axis: value = intercept + slope × calls, drawn from `from` to `to` calls. */
export interface FittedLine {
  slope: number
  intercept: number
  from: number
  to: number
}

/**
 * The reported rate as a line through the readings it was judged on (pass 1's judged window to the end): slope
 * `perCall`, placed at the median offset of those readings, so the line sits on the data whatever its noise.
 */
export function rateLine(passes: readonly LeakPass[], metric: MetricName, perCall: number): FittedLine | undefined {
  const points = cumulativeSeries(passes, metric)
  const judged = points.slice(Math.max(0, passes[0]?.windowStart ?? 0))
  if (judged.length < 2) return undefined
  const intercept = median(judged.map((point) => point.value - perCall * point.calls))
  return {
    slope: perCall,
    intercept,
    from: (judged[0] as SeriesPoint).calls,
    to: (judged.at(-1) as SeriesPoint).calls,
  }
}
