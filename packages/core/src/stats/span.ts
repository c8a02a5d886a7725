import type { LeakPass, LeakSample, MetricName } from '../report.js'
import { HOLD_RATIO, type PassReading } from './decide.js'
import { growthPerCall, median, settle, stepsOf } from './estimate.js'

/**
 * Growth over a judged window that noise alone can produce, in the metric's unit. Post-GC heap readings of clean
 * sync code move by up to ~2 KB over a window (harness and JIT leftovers); with the event loop turning between
 * batches (async code, timers) one-time steps of 8–10 KB were seen in Vitest workers.
 */
export function noiseFloor(metric: MetricName, turnsEventLoop: boolean): number {
  if (metric === 'heap') return turnsEventLoop ? 16 * 1024 : 4 * 1024
  if (metric === 'external') return 4 * 1024
  // Counts of clean code did not move by one in any sample (11 cases × 5 runs), but a lazily created singleton (the
  // DNS channel of a first listen(), http's date-cache timer) is a one-time step of 1: it takes 2 to stand out.
  return 2
}

/**
 * A metric's readings in a pass with transient peaks lowered: a reading more than `floor` above the next one was
 * garbage a GC had not freed yet (finalizers, an event-loop turn's leftovers: single readings 150–240 KB above their
 * neighbours were seen in async Jest runs), not retained memory. See `withoutTransientPeaks`.
 */
export function settledSeries(pass: LeakPass, metric: MetricName, floor: number): number[] {
  return settle(
    pass.samples.map((sample) => sample[metric]),
    floor,
  )
}

/** Calls between the first and last sample of a pass's judged window. */
export function windowCalls(pass: LeakPass): number {
  return (pass.samples.at(-1)?.calls ?? 0) - (pass.samples[pass.windowStart]?.calls ?? 0)
}

/** An earlier pass had the calls to see this rate stand out of the floor by this much (and read under HOLD_RATIO). */
const BURST_VISIBLE_FLOORS = 2

/**
 * The last pass's rate is a burst, not what the calls do: an earlier pass had calls enough to see that rate plainly
 * (BURST_VISIBLE_FLOORS × the floor over its window) and read under HOLD_RATIO of it (the share a held rate keeps).
 * A leak keeps its rate over any window; a burst late in a run does not (axios, clean, with both cores busy: 35
 * B/call over a window of 378 calls, then 157 KB in the next pass's window, 203 B/call).
 */
export function burstAfter(earlier: readonly LeakPass[], last: LeakPass, metric: MetricName, floor: number): boolean {
  const rate = last.rates[metric]
  return earlier.some(
    (before) => rate * windowCalls(before) >= BURST_VISIBLE_FLOORS * floor && before.rates[metric] < rate * HOLD_RATIO,
  )
}

/**
 * Batch-to-batch noise of a metric in a pass: the robust spread (1.4826 × median absolute deviation) of the growth
 * from one reading to the next around its median. A steady leak adds the same growth every batch and a Map's table
 * grows in rare steps, so both read near 0; a heap that wanders by ±20 KB between post-GC readings reads ~20 KB.
 */
export function batchNoise(pass: LeakPass, metric: MetricName, floor = Number.POSITIVE_INFINITY): number {
  const values = settledSeries(pass, metric, floor)
  const steps = stepsOf(values)
  if (steps.length < 2) return 0
  const typical = median(steps)
  return 1.4826 * median(steps.map((step) => Math.abs(step - typical)))
}

/** Batches growing by this many noise floors whose last two did not grow at all mark a structure that filled. */
const FLAT_TAIL_FLOORS = 2

/**
 * The median of the per-call growth between consecutive readings of a pass's judged window (batches cut short by the
 * deadline, under half the usual calls, left out), the same over the window's later half, and the window's calls. A leak adds the same growth every batch,
 * so its median is its rate even when one batch also holds a step (a Map doubling its table).
 */
export function steadyRate(
  pass: LeakPass,
  metric: MetricName,
  floor = Number.POSITIVE_INFINITY,
): { rate: number; late: number; calls: number } {
  const values = settledSeries(pass, metric, floor)
  const rates: number[] = []
  for (let i = pass.windowStart + 1; i < pass.samples.length; i++) {
    const calls = (pass.samples[i] as LeakSample).calls - (pass.samples[i - 1] as LeakSample).calls
    if (calls >= pass.callsPerBatch / 2) rates.push(((values[i] ?? 0) - (values[i - 1] ?? 0)) / calls)
  }
  // The later half of the window (its last two batches at least): zero once a structure has filled up.
  const late = rates.slice(Math.min(rates.length - 2, Math.floor(rates.length / 2)))
  const rate = rates.length > 0 ? median(rates) : 0
  // Growth of several floors per batch that stopped in the last two batches: the structure is full, whatever the
  // median of a later half that still holds its last steps (a Map filling to 20,000 entries read 3.4 B/call there).
  const perBatch = rate * pass.callsPerBatch
  const tail = rates.slice(-2)
  const flatTail =
    tail.length === 2 &&
    perBatch >= FLAT_TAIL_FLOORS * floor &&
    tail.every((r) => r * pass.callsPerBatch < Math.max(floor / 2, perBatch / 10))
  return {
    rate,
    late: flatTail ? 0 : late.length > 0 ? median(late) : 0,
    calls: windowCalls(pass),
  }
}

/** A metric's reading over the span of the passes so far, with the calls the span covers. */
export interface SpanReading extends PassReading {
  growth: number
  /** Measured calls from the start of pass 1's judged window to the end of the last pass. */
  spanCalls: number
}

/**
 * A metric's reading after the given passes: pass 1 alone is judged on its window; with confirmation passes the
 * rate runs from the start of pass 1's window to the end of the last pass. Over that growing span a real leak keeps
 * its rate, step growth (a Map doubling its table) averages out instead of falling between windows, and one-time
 * growth fades like 1/N.
 */
export function spanReading(passes: readonly LeakPass[], metric: MetricName, floor: number): SpanReading {
  const [first] = passes
  if (!first) return { rate: 0, growth: 0, spanCalls: 0, floor }
  if (passes.length === 1) {
    const calls = windowCalls(first)
    const steady = steadyRate(first, metric, floor)
    return { rate: first.rates[metric], growth: first.rates[metric] * calls, spanCalls: calls, floor, steady }
  }
  const points: { x: number; y: number }[] = []
  let offset = 0
  let shift = 0
  passes.forEach((pass, index) => {
    // A later pass joins the span at its first batch's reading: no call runs between passes, and the first batch at
    // a larger batch size is where one-time costs of that size land (the handle tracker's table growing to hold a
    // batch of live handles, V8 sizing its own tables), not growth per call. Its calls are left out of the span too,
    // so a steady leak's line stays continuous.
    const joinAt = index === 0 ? pass.windowStart : Math.min(1, pass.samples.length - 1)
    const values = settledSeries(pass, metric, floor).slice(joinAt)
    const samples = pass.samples.slice(joinAt)
    const join = samples[0]
    if (!join) return
    let xShift = offset
    if (index > 0) {
      shift = (points.at(-1)?.y ?? 0) - (values[0] ?? 0)
      xShift = offset - join.calls
    }
    samples.forEach((sample, i) => {
      points.push({ x: xShift + sample.calls, y: (values[i] ?? 0) + shift })
    })
    offset = xShift + (pass.samples.at(-1)?.calls ?? 0)
  })
  const rate = growthPerCall(points, floor)
  const spanCalls = (points.at(-1)?.x ?? 0) - (points[0]?.x ?? 0)
  const last = passes.at(-1) as LeakPass
  const lastValues = settledSeries(last, metric, floor)
  const passGrowth = (lastValues.at(-1) ?? 0) - (lastValues[Math.min(1, lastValues.length - 1)] ?? 0)
  return {
    rate,
    growth: rate * spanCalls,
    spanCalls,
    floor,
    own: {
      rate: last.rates[metric],
      growth: last.rates[metric] * windowCalls(last),
      noise: batchNoise(last, metric, floor),
    },
    steady: steadyRate(last, metric, floor),
    passGrowth,
  }
}
