import type { ResolvedOptions } from '../options.js'
import type { LeakPass, MetricName } from '../report.js'
import { METRIC_NAMES } from '../report.js'
import { decideMetric, type MetricState } from '../stats/decide.js'
import { noiseFloor, spanReading, windowCalls } from '../stats/span.js'
import type { CallsResult, CallsStop } from './calls.js'
import { now } from './clock.js'
import { type BreakdownGrowth, measurePass, type PassResult } from './pass.js'
import {
  CALIBRATION_MS,
  CONFIRM_PASSES,
  firstPassByMemory,
  firstPassCallsPerBatch,
  MAX_CALIBRATION_CALLS,
  MAX_PASSES,
  MIN_CALIBRATION_CHUNKS,
  nextPassCallsPerBatch,
  PASS1_HORIZON_GROWTH,
  sensitivityCalls,
  type TimePlan,
} from './plan.js'
import type { Reading } from './sample.js'
import type { Steps } from './steps.js'

/** How a measurement ended. */
export type EngineStop =
  /** The evidence decided it (clean, or a leak confirmed). */
  | 'decided'
  /** The time for the calls ran out first: the verdict is what the calls so far support. */
  | 'time'
  /** Memory retained since the start passed the cap (or neared the heap limit): a leak, stopped early. */
  | 'cap'
  | 'heap-limit'

export interface EngineOutcome {
  passes: LeakPass[]
  states: Record<MetricName, MetricState>
  warmupCalls: number
  /** Breakdown of handle and listener growth in the last pass. */
  growth: BreakdownGrowth
  stop: EngineStop
  /** Per metric, the smallest growth per call that would have stood out of the noise over the judged calls. */
  sensitivity: Record<MetricName, number>
  /** True when no confirmation pass fitted in the time: the verdict rests on one pass. */
  onePass: boolean
}

export interface EngineContext {
  options: ResolvedOptions
  time: TimePlan
  /** Known only once the calls ran: whether the event loop turns between batches (async fn, timers, handles). */
  turnsEventLoop: () => boolean
  /** Memory the cap still allows, bytes. */
  capLeftBytes: () => number
  /** Heap and external at the start, for a run stopped by the cap before its first pass. */
  start: Reading
  /** Set when call 1 alone already passed the cap or neared the heap limit. */
  firstCallStop?: CallsStop
  /** True when an instrument was switched off after warm-up (calls are faster from then on). */
  instrumentsChanged: () => boolean
}

/**
 * The measurement: calibrate, warm up, then passes until the evidence decides, the time runs out or memory passes the
 * cap. It never touches fn itself: it yields steps (calls, readings) that a driver runs.
 */
export function* engine(ctx: EngineContext): Steps<EngineOutcome> {
  const { options, time } = ctx
  const floorOf = (metric: MetricName) => noiseFloor(metric, ctx.turnsEventLoop())
  let warmupCalls = 1
  if (ctx.firstCallStop) return yield* stoppedEarly(ctx, ctx.firstCallStop, warmupCalls, floorOf)

  // Calibrate: double the calls until they take a measurable time. These calls are warm-up too.
  let callsPerBatch = options.callsPerBatch
  const sizeFirstPass = (msPerCall: number) =>
    firstPassCallsPerBatch(msPerCall, options.batches, sensitivityCalls(options.budget, floorOf), time.pass1Ms)
  if (callsPerBatch === undefined) {
    const calibration = yield* calibrate(time.measureEndsAt)
    warmupCalls += calibration.calls
    if (calibration.stopped) return yield* stoppedEarly(ctx, calibration.stopped, warmupCalls, floorOf)
    callsPerBatch = sizeFirstPass(calibration.msPerCall)
  }
  // Warm-up, between two readings: its growth per call sizes pass 1 for memory (a plain leak needs no sensitivity).
  let warmupGrew = false
  yield { type: 'warm-harness' }
  const beforeWarmup = (yield { type: 'sample' }) as Reading
  const callsBeforeWarmup = warmupCalls
  const targetWarmup = options.warmupCalls ?? 2 * callsPerBatch
  if (targetWarmup > warmupCalls) {
    const result = (yield {
      type: 'calls',
      count: targetWarmup - warmupCalls,
      stopAt: time.measureEndsAt,
    }) as CallsResult
    warmupCalls += result.callsDone
    if (result.stopped && result.stopped !== 'time')
      return yield* stoppedEarly(ctx, result.stopped, warmupCalls, floorOf)
  }
  yield { type: 'sample' }
  const afterWarmup = (yield { type: 'sample' }) as Reading
  if (options.callsPerBatch === undefined) {
    let msPerCall: number | undefined
    if (ctx.instrumentsChanged()) {
      // The async hooks that made every promise slower during calibration are off now: time the calls again.
      const count = Math.max(16, Math.min(callsPerBatch, 4096))
      const timing = (yield { type: 'calls', count, stopAt: time.measureEndsAt }) as CallsResult
      warmupCalls += timing.callsDone
      if (timing.stopped && timing.stopped !== 'time') {
        return yield* stoppedEarly(ctx, timing.stopped, warmupCalls, floorOf)
      }
      if (timing.callsDone > 0) msPerCall = timing.elapsedMs / timing.callsDone
    }
    const warmupGrowth = afterWarmup.heap + afterWarmup.external - beforeWarmup.heap - beforeWarmup.external
    const warmupCallsMade = warmupCalls - callsBeforeWarmup
    warmupGrew = warmupCallsMade > 0 && warmupGrowth >= WARMUP_GROWTH_FLOORS * floorOf('heap')
    // Two readings with no call between them differ by up to ~9 KB (the harness's own first readings): not growth.
    const growthPerCall = Math.max(0, warmupGrowth - 2 * floorOf('heap')) / Math.max(1, warmupCallsMade)
    const bySpeed = msPerCall === undefined ? callsPerBatch : sizeFirstPass(msPerCall)
    const geometric = Math.ceil((PASS1_HORIZON_GROWTH * warmupCalls) / options.batches)
    callsPerBatch = Math.max(Math.min(bySpeed, firstPassByMemory(growthPerCall, options.batches)), geometric)
    callsPerBatch = Math.min(callsPerBatch, Math.max(1, bySpeed))
  }

  const passes: LeakPass[] = []
  let states = allMetrics<MetricState>('clean')
  let growth: BreakdownGrowth = { handles: [], listeners: [] }
  let passCallsPerBatch = callsPerBatch
  let stop: EngineStop = 'decided'
  let onePass = false
  for (let passIndex = 0; ; passIndex++) {
    const measured: PassResult = yield* measurePass({
      callsPerBatch: passCallsPerBatch,
      batches: options.batches,
      stopAt: time.measureEndsAt,
      floorOf,
    })
    const pass = measured.pass
    growth = measured.growth
    passes.push(pass)
    if (measured.stopped === 'cap' || measured.stopped === 'heap-limit') {
      stop = measured.stopped
      states = runawayStates(pass, options)
      break
    }
    const outOfTime = measured.stopped === 'time'
    const callsSoFar = warmupCalls + passes.reduce((sum, p) => sum + (p.samples.at(-1)?.calls ?? 0), 0)
    const next =
      !options.confirm || outOfTime || passIndex + 1 >= MAX_PASSES
        ? undefined
        : nextPassCallsPerBatch(pass, callsSoFar, time.measureEndsAt - now(), options.batches, ctx.capLeftBytes())
    // No normal confirmation pass left: pass 3 was the last one, confirmation is off, or no pass fits in the time.
    const noTimeForAnother = options.confirm && next === undefined && passIndex + 1 < MAX_PASSES
    const lastPass = !options.confirm || passIndex >= CONFIRM_PASSES - 1 || next === undefined
    states = decideAll(passes, options, floorOf, lastPass, next !== undefined)
    if (passIndex === 0 && noTimeForAnother) {
      // A leak that pass 1 shows plainly is not let through because no second pass fits.
      onePass = true
      states = judgeOnePass(pass, options, floorOf)
    }
    const leftMs = time.measureEndsAt - now()
    if (passIndex > 0 && next !== undefined && roomToLookFurther(pass, next, callsSoFar, ctx.capLeftBytes(), leftMs)) {
      // A steady rate over a short horizon may still be a structure filling up (a Map capped at 90,000 entries fills
      // over 720,000 calls of a cheap function): while one more pass fits, the leak waits for it.
      for (const metric of METRIC_NAMES) if (states[metric] === 'leak') states[metric] = 'fading'
    }
    if (passIndex === 0 && warmupGrew && next !== undefined && METRIC_NAMES.every((m) => states[m] === 'clean')) {
      // The warm-up grew but pass 1 did not: growth in steps may have fallen between its readings, or a structure
      // may have filled just before it. A clean verdict waits for one pass over a longer horizon.
      states.heap = 'suspect'
    }
    const pending = Object.values(states)
    const fading = pending.includes('fading')
    if (!fading && !pending.includes('suspect')) {
      if (outOfTime) stop = 'time'
      break
    }
    if (next === undefined) {
      if (outOfTime || noTimeForAnother) stop = 'time'
      break
    }
    if (lastPass && !fading) break
    passCallsPerBatch = next
  }
  // Whatever is still pending when the loop ends was not confirmed.
  for (const metric of METRIC_NAMES) {
    if (states[metric] === 'suspect' || states[metric] === 'fading') states[metric] = 'clean'
  }
  return {
    passes,
    states,
    warmupCalls,
    growth,
    stop,
    sensitivity: sensitivityOf(passes, floorOf),
    onePass,
  }
}

function* calibrate(stopAt: number): Steps<{ msPerCall: number; calls: number; stopped?: CallsStop }> {
  let chunk = 1
  let elapsed = 0
  let calls = 0
  let chunks = 0
  let bestMsPerCall = Number.POSITIVE_INFINITY
  // At least MIN_CALIBRATION_CHUNKS chunks: a first call slowed by a GC or compilation must not size the batches.
  while ((elapsed < CALIBRATION_MS || chunks < MIN_CALIBRATION_CHUNKS) && calls < MAX_CALIBRATION_CALLS) {
    const result = (yield { type: 'calls', count: chunk, stopAt }) as CallsResult
    elapsed += result.elapsedMs
    calls += result.callsDone
    chunks++
    if (result.callsDone > 0) bestMsPerCall = Math.min(bestMsPerCall, result.elapsedMs / result.callsDone)
    if (result.stopped === 'cap' || result.stopped === 'heap-limit')
      return { msPerCall: bestMsPerCall, calls, stopped: result.stopped }
    if (result.stopped === 'time') break
    chunk *= 2
  }
  const msPerCall = Number.isFinite(bestMsPerCall) ? bestMsPerCall : elapsed / Math.max(1, calls)
  return { msPerCall, calls }
}

/** A run the cap stopped before its first pass: one pass from the start of the measurement to now. */
function* stoppedEarly(
  ctx: EngineContext,
  stop: CallsStop,
  warmupCalls: number,
  floorOf: (metric: MetricName) => number,
): Steps<EngineOutcome> {
  const reading = (yield { type: 'sample' }) as Reading
  const calls = warmupCalls
  const startedAt = ctx.time.startedAt
  const pass: LeakPass = {
    callsPerBatch: calls,
    samples: [
      { calls: 0, ...pick(ctx.start) },
      { calls, ...pick(reading) },
    ],
    windowStart: 0,
    rates: allMetrics(0),
    durationMs: now() - startedAt,
    runaway: stop !== 'time',
  }
  for (const metric of METRIC_NAMES) {
    pass.rates[metric] = ((pass.samples[1]?.[metric] ?? 0) - (pass.samples[0]?.[metric] ?? 0)) / Math.max(1, calls)
  }
  return {
    passes: [pass],
    states: runawayStates(pass, ctx.options),
    warmupCalls: 0,
    growth: { handles: [], listeners: [] },
    stop: stop === 'time' ? 'time' : stop,
    sensitivity: sensitivityOf([pass], floorOf),
    onePass: true,
  }
}

function pick(reading: Reading) {
  return { heap: reading.heap, external: reading.external, handles: reading.handles, listeners: reading.listeners }
}

/** A pass stopped by the cap: every metric over budget over the whole run is a leak. */
function runawayStates(pass: LeakPass, options: ResolvedOptions): Record<MetricName, MetricState> {
  const states = allMetrics<MetricState>('clean')
  for (const metric of METRIC_NAMES) {
    if (pass.rates[metric] > options.budget[metric]) states[metric] = 'leak'
  }
  return states
}

function decideAll(
  passes: readonly LeakPass[],
  options: ResolvedOptions,
  floorOf: (metric: MetricName) => number,
  lastPass: boolean,
  canExtend: boolean,
): Record<MetricName, MetricState> {
  const states = allMetrics<MetricState>('clean')
  const last = passes.at(-1) as LeakPass
  last.cumulativeRates = allMetrics(0)
  for (const metric of METRIC_NAMES) {
    const floor = floorOf(metric)
    const readings = passes.map((_, index) => spanReading(passes.slice(0, index + 1), metric, floor))
    last.cumulativeRates[metric] = readings.at(-1)?.rate ?? 0
    states[metric] = decideMetric(readings, options.budget[metric], options.confirm, lastPass, canExtend)
  }
  return states
}

/**
 * A leak verdict waits for a longer horizon while the span covers fewer calls than this, and the next pass — three
 * times the calls so far — fits in the time left and grows the heap by at most half of what the cap has
 * left. Only cheap functions with a low rate get there: a leak of 64 B/call would need 48 MB for its next pass.
 */
const LEAK_HORIZON_CALLS = 1_000_000

function roomToLookFurther(
  last: LeakPass,
  nextCallsPerBatch: number,
  callsSoFar: number,
  capLeftBytes: number,
  leftMs: number,
): boolean {
  if (callsSoFar >= LEAK_HORIZON_CALLS) return false
  const calls = nextCallsPerBatch * (last.samples.length - 1)
  const lastCalls = Math.max(1, last.samples.at(-1)?.calls ?? 0)
  const projectedMs = (last.durationMs * calls) / lastCalls
  const projectedBytes = Math.max(0, last.rates.heap + last.rates.external) * calls
  return projectedMs <= leftMs && projectedBytes <= capLeftBytes / 2
}

/**
 * A warm-up that grew by this many heap noise floors (32 KiB sync) gets its clean pass 1 confirmed over a longer
 * horizon. Clean code's warm-up read −5 to +9 KB across the accuracy cases; a Map doubling its table at 8,192
 * entries grows by ~200 KB.
 */
const WARMUP_GROWTH_FLOORS = 8

/** Growth at least this many times the floor in pass 1 is a leak when no second pass fits in the time. */
const ONE_PASS_SIGNIFICANCE = 4

/**
 * The verdict of pass 1 alone, when no confirmation pass fits before the deadline: a metric over budget whose growth
 * stands well out of the noise and still grows in the later half of the window is a leak.
 */
function judgeOnePass(
  pass: LeakPass,
  options: ResolvedOptions,
  floorOf: (metric: MetricName) => number,
): Record<MetricName, MetricState> {
  const states = allMetrics<MetricState>('clean')
  const window = pass.samples.slice(pass.windowStart)
  const middle = Math.floor(window.length / 2)
  for (const metric of METRIC_NAMES) {
    const rate = pass.rates[metric]
    const growth = rate * windowCalls(pass)
    const late = window.slice(middle)
    const lateCalls = (late.at(-1)?.calls ?? 0) - (late[0]?.calls ?? 0)
    const lateRate = lateCalls > 0 ? ((late.at(-1)?.[metric] ?? 0) - (late[0]?.[metric] ?? 0)) / lateCalls : rate
    if (rate > options.budget[metric] && growth >= ONE_PASS_SIGNIFICANCE * floorOf(metric) && lateRate >= rate * 0.5) {
      states[metric] = 'leak'
    }
  }
  return states
}

function sensitivityOf(
  passes: readonly LeakPass[],
  floorOf: (metric: MetricName) => number,
): Record<MetricName, number> {
  const result = allMetrics(0)
  for (const metric of METRIC_NAMES) {
    const span = spanReading(passes, metric, floorOf(metric))
    result[metric] = span.spanCalls > 0 ? floorOf(metric) / span.spanCalls : Number.POSITIVE_INFINITY
  }
  return result
}

function allMetrics<T>(value: T): Record<MetricName, T> {
  return { heap: value, external: value, handles: value, listeners: value }
}
