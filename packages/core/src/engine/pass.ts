import type { LeakPass, LeakSample, MetricName } from '../report.js'
import { METRIC_NAMES } from '../report.js'
import { growthPerCall, judgedWindow, risesOutOfLine } from '../stats/estimate.js'
import type { CallsResult, CallsStop } from './calls.js'
import { now } from './clock.js'
import type { Reading } from './sample.js'
import type { Steps } from './steps.js'

/** Growth per call of one handle type or listener key over a pass's judged window, and its count at the end. */
export interface KeyGrowth {
  key: string
  perCall: number
  count: number
}

export interface BreakdownGrowth {
  handles: KeyGrowth[]
  listeners: KeyGrowth[]
}

export interface PassPlan {
  callsPerBatch: number
  batches: number
  /** Clock time at which the calls stop, whatever is left of the pass. */
  stopAt: number
  floorOf: (metric: MetricName) => number
  /** A reading taken right before the pass with no call since: its baseline, saving a reading (a GC). */
  baseline?: Reading
  /** What one reading costs, ms, and the clock time by which a reading taken again must end. */
  sampleMs: number
  readAgainBy: number
}

export interface PassResult {
  pass: LeakPass
  growth: BreakdownGrowth
  /** Why the calls stopped before the planned batches, if they did. */
  stopped?: CallsStop
}

/**
 * One pass: a baseline reading, then batches of calls each followed by a reading. Readings go into arrays allocated
 * before the baseline, so the harness itself retains nothing per sample.
 */
export function* measurePass(plan: PassPlan): Steps<PassResult> {
  const startedAt = now()
  const size = plan.batches + 1
  const callsAt = new Float64Array(size)
  const series = Object.fromEntries(METRIC_NAMES.map((name) => [name, new Float64Array(size)])) as Record<
    MetricName,
    Float64Array
  >
  const first = plan.baseline ?? ((yield { type: 'sample' }) as Reading)
  for (const name of METRIC_NAMES) series[name][0] = first[name]
  // The handle and listener breakdowns of the readings before the judged window's start (the window's growth of a
  // key is counted from the reading before it), and of the latest one. A kept reading's few hundred bytes show in
  // the next reading: kept inside the window, they would be the harness's own growth (~150 B/call for a 5 ms fn).
  const keptUpTo = Math.floor(plan.batches / 3) - 1
  const breakdowns: Breakdown[] = [breakdownOf(first)]
  let last: Breakdown = first
  let count = 1
  let calls = 0
  let stopped: PassResult['stopped']
  for (let batch = 0; batch < plan.batches; batch++) {
    const result = (yield { type: 'calls', count: plan.callsPerBatch, stopAt: plan.stopAt }) as CallsResult
    calls += result.callsDone
    if (result.callsDone > 0 || result.stopped !== undefined) {
      let reading = (yield { type: 'sample' }) as Reading
      if (outOfLine(series, count, reading, plan) && now() + plan.sampleMs <= plan.readAgainBy) {
        reading = lowerOf(reading, (yield { type: 'sample' }) as Reading)
      }
      callsAt[count] = calls
      for (const name of METRIC_NAMES) series[name][count] = reading[name]
      if (count <= keptUpTo) breakdowns.push(breakdownOf(reading))
      last = reading
      count++
    }
    // A batch the cap ended for a turn of the event loop: its reading is taken, the pass goes on.
    if (result.stopped !== undefined && result.stopped !== 'turn') {
      stopped = result.stopped
      break
    }
  }
  const pass = buildPass(plan, callsAt, series, count, calls, startedAt, stopped)
  const startIndex = pass.runaway ? 0 : Math.max(0, pass.windowStart - 1)
  const start = breakdowns[startIndex] ?? first
  const windowCallCount = Math.max(1, calls - (pass.samples[startIndex]?.calls ?? 0))
  return {
    pass,
    stopped,
    growth: {
      handles: keyGrowth(start.handleTypes, last.handleTypes, windowCallCount),
      listeners: keyGrowth(start.listenerKeys, last.listenerKeys, windowCallCount),
    },
  }
}

/** Memory metrics whose readings can hold garbage a GC left: a rise out of line with the pass is read again. */
const REREAD_METRICS = ['heap', 'external'] as const

function outOfLine(series: Record<MetricName, Float64Array>, count: number, reading: Reading, plan: PassPlan): boolean {
  return REREAD_METRICS.some((metric) => risesOutOfLine(series[metric], count, reading[metric], plan.floorOf(metric)))
}

/** Two readings with no call between: the lower memory (what one GC left is not retained), the later counts. */
function lowerOf(first: Reading, again: Reading): Reading {
  return { ...again, heap: Math.min(first.heap, again.heap), external: Math.min(first.external, again.external) }
}

type Breakdown = Pick<Reading, 'handleTypes' | 'listenerKeys'>
const NO_BREAKDOWN: Breakdown = { handleTypes: new Map(), listenerKeys: new Map() }

/** A reading's breakdowns, to keep: the shared empty one when nothing is live (nothing retained per reading). */
function breakdownOf(reading: Reading): Breakdown {
  if (reading.handleTypes.size === 0 && reading.listenerKeys.size === 0) return NO_BREAKDOWN
  return { handleTypes: reading.handleTypes, listenerKeys: reading.listenerKeys }
}

function buildPass(
  plan: PassPlan,
  callsAt: Float64Array,
  series: Record<MetricName, Float64Array>,
  count: number,
  calls: number,
  startedAt: number,
  stopped: PassResult['stopped'],
): LeakPass {
  const samples: LeakSample[] = Array.from({ length: count }, (_, i) => ({
    calls: callsAt[i] as number,
    heap: series.heap[i] as number,
    external: series.external[i] as number,
    handles: series.handles[i] as number,
    descriptors: series.descriptors[i] as number,
    listeners: series.listeners[i] as number,
  }))
  const runaway = stopped === 'cap' || stopped === 'heap-limit'
  const window = runaway ? samples : judgedWindow(samples)
  const rates = { heap: 0, external: 0, handles: 0, descriptors: 0, listeners: 0 }
  for (const metric of METRIC_NAMES) {
    rates[metric] = runaway
      ? ((samples.at(-1)?.[metric] ?? 0) - (samples[0]?.[metric] ?? 0)) / Math.max(1, calls)
      : growthPerCall(
          window.map((s) => ({ x: s.calls, y: s[metric] })),
          plan.floorOf(metric),
        )
  }
  return {
    callsPerBatch: plan.callsPerBatch,
    samples,
    windowStart: samples.length - window.length,
    rates,
    durationMs: now() - startedAt,
    runaway,
  }
}

/** Keys whose count grew between two breakdowns, fastest growth first. */
function keyGrowth(start: ReadonlyMap<string, number>, end: ReadonlyMap<string, number>, calls: number): KeyGrowth[] {
  const grown: KeyGrowth[] = []
  for (const [key, count] of end) {
    const perCall = (count - (start.get(key) ?? 0)) / calls
    if (perCall > 0) grown.push({ key, perCall, count })
  }
  return grown.sort((a, b) => b.perCall - a.perCall)
}
