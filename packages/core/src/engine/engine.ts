import type { ResolvedOptions } from '../options.js'
import type { LeakPass, MetricName } from '../report.js'
import { METRIC_NAMES } from '../report.js'
import { decideMetric, HOLD_RATIO, type MetricState } from '../stats/decide.js'
import { burstAfter, noiseFloor, spanReading, steadyRate, windowCalls } from '../stats/span.js'
import { clamp } from '../util.js'
import type { CallsResult, CallsStop } from './calls.js'
import { now } from './clock.js'
import { type BreakdownGrowth, measurePass, type PassResult } from './pass.js'
import {
  CALIBRATION_MS,
  COARSE_SENSITIVITY,
  CONFIRM_PASSES,
  firstPassByMemory,
  firstPassCallsPerBatch,
  MAX_CALIBRATION_CALLS,
  MAX_PASSES,
  MIN_CALIBRATION_CHUNKS,
  nextPassCallsPerBatch,
  PASS1_HORIZON_GROWTH,
  SENSITIVITY_TIME_SHARE,
  sensitivityCalls,
  type TimePlan,
  VERDICT_GROWTH_BYTES,
  WARMUP_MEMORY_SHARE,
  WARMUP_MIN_CALLS,
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
  /** Heap and external retained since the start (post-GC right after a reading), bytes. */
  retainedBytes: () => number
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
  let calibrationGrowthPerCall = 0
  let paceMs = 0
  if (callsPerBatch === undefined) {
    const calibration = yield* calibrate(time.measureEndsAt)
    warmupCalls += calibration.calls
    paceMs = calibration.msPerCall
    if (calibration.stopped) return yield* stoppedEarly(ctx, calibration.stopped, warmupCalls, floorOf)
    callsPerBatch = sizeFirstPass(calibration.msPerCall)
  }
  // Warm-up, between two readings: its growth per call sizes pass 1 for memory (a plain leak needs no sensitivity).
  yield { type: 'warm-harness' }
  const beforeAt = now()
  const beforeWarmup = (yield { type: 'sample' }) as Reading
  // A reading's cost here, first estimate: under a short deadline in a Jest worker four readings can take it all.
  const firstSampleMs = now() - beforeAt
  calibrationGrowthPerCall = Math.max(0, total(beforeWarmup) - total(ctx.start)) / warmupCalls
  const callsBeforeWarmup = warmupCalls
  const warmupByTime = paceMs > 0 ? Math.floor((WARMUP_MIN_SHARE * (time.measureEndsAt - time.startedAt)) / paceMs) : 0
  const targetWarmup =
    options.warmupCalls ?? warmupSize(callsPerBatch, calibrationGrowthPerCall, warmupCalls, warmupByTime)
  let warmupPaceMs: number | undefined
  // Sized from calibration's fastest chunk, the warm-up may run far slower (a Jest worker, a loaded machine, a Map
  // rehashing): it never takes more than its share of the time, or the passes get none.
  // It also leaves the time of the reading after it and of pass 1's first batch and reading.
  const warmupStopAt = Math.min(time.measureEndsAt - 3 * firstSampleMs, now() + warmupTimeMs(time))
  // A warm-up with less time for its calls than its reading costs (a slow GC under a short deadline) is left out:
  // pass 1 starts from the reading after calibration and gets the reading's time for its own calls.
  const warmupFits = warmupStopAt - now() >= firstSampleMs
  if (targetWarmup > warmupCalls && warmupFits) {
    const count = targetWarmup - warmupCalls
    const result = (yield { type: 'calls', count, stopAt: warmupStopAt }) as CallsResult
    warmupCalls += result.callsDone
    if (result.stopped === 'cap' || result.stopped === 'heap-limit') {
      return yield* stoppedEarly(ctx, result.stopped, warmupCalls, floorOf)
    }
    if (result.callsDone >= WARMUP_PACE_CALLS) warmupPaceMs = result.elapsedMs / result.callsDone
  }
  // The code optimised by now stays; what V8 would compile from here on is metadata growth, not the calls'.
  yield { type: 'hold-optimization' }
  const sampledAt = now()
  const warmedUp = warmupCalls > callsBeforeWarmup
  const afterWarmup = warmedUp ? ((yield { type: 'sample' }) as Reading) : beforeWarmup
  // What one reading costs here (a GC of this heap, and the event loop's turns): a pass has one per batch. This one
  // also collected the warm-up's garbage, so it errs high: fewer batches fit, none overruns.
  const sampleMs = warmedUp ? now() - sampledAt : firstSampleMs
  const warmupGrowth = total(afterWarmup) - total(beforeWarmup)
  const warmupCallsMade = warmupCalls - callsBeforeWarmup
  // The warm-up grew but a clean-looking pass 1 may not: steps may fall between its readings.
  const warmupGrew = warmupCallsMade > 0 && warmupGrowth >= WARMUP_GROWTH_FLOORS * floorOf('heap')
  // Pass 1 starts from this reading unless an instrument was switched off (the re-timing below calls fn again, and
  // the readings after it leave the switched-off hooks' memory out).
  const afterWarmupIsBaseline = !ctx.instrumentsChanged()
  if (options.callsPerBatch === undefined) {
    let msPerCall: number | undefined
    if (ctx.instrumentsChanged()) {
      // The async hooks that made every promise slower during calibration are off now: time the calls again.
      const count = Math.max(16, Math.min(callsPerBatch, 4096))
      const timing = (yield { type: 'calls', count, stopAt: time.measureEndsAt }) as CallsResult
      warmupCalls += timing.callsDone
      if (timing.stopped === 'cap' || timing.stopped === 'heap-limit') {
        return yield* stoppedEarly(ctx, timing.stopped, warmupCalls, floorOf)
      }
      if (timing.callsDone > 0) msPerCall = timing.elapsedMs / timing.callsDone
      if (msPerCall !== undefined) paceMs = msPerCall
    } else if (warmupPaceMs !== undefined && warmupPaceMs > paceMs) {
      // The warm-up's pace over its thousands of calls is the one the passes will see.
      msPerCall = warmupPaceMs
      paceMs = warmupPaceMs
    }
    // Two readings with no call between them differ by up to ~9 KB (the harness's own first readings): not growth.
    // Without warm-up calls (calibration ran them all), calibration's growth stands in.
    const growthPerCall =
      warmupCallsMade > 0 ? Math.max(0, warmupGrowth - 2 * floorOf('heap')) / warmupCallsMade : calibrationGrowthPerCall
    const bySpeed = msPerCall === undefined ? callsPerBatch : sizeFirstPass(msPerCall)
    const byMemory = firstPassByMemory(growthPerCall, options.batches)
    const geometric = Math.ceil((PASS1_HORIZON_GROWTH * warmupCalls) / options.batches)
    callsPerBatch = Math.min(Math.max(Math.min(bySpeed, byMemory), Math.min(geometric, byMemory)), bySpeed)
    // A reading that costs more than a batch's calls (a slow async fn in a Jest worker, where a GC takes 35 ms) is
    // time spent on noise: give each batch at least as much time in calls as in its reading.
    const pace = msPerCall ?? paceMs
    const balanced = pace > 0 ? Math.ceil(sampleMs / pace) : 0
    const wanted = sensitivityCalls(options.budget, floorOf) / (options.batches - Math.floor(options.batches / 3))
    callsPerBatch = Math.max(callsPerBatch, Math.min(balanced, Math.ceil(wanted), byMemory))
    callsPerBatch = Math.max(1, callsPerBatch)
  }

  const passes: LeakPass[] = []
  // The latest pace of the calls, for fitting a pass's batches in the time left.
  const msPerCallNow = () => {
    const last = passes.at(-1)
    const calls = last?.samples.at(-1)?.calls ?? 0
    return last && calls > 0 ? Math.max(0, last.durationMs - last.samples.length * sampleMs) / calls : paceMs
  }
  let states = allMetrics<MetricState>('clean')
  let growth: BreakdownGrowth = { handles: [], listeners: [] }
  let passCallsPerBatch = callsPerBatch
  // Pass 1 keeps to the measurement's time; a pass that confirms a pending verdict may use the diagnosis's too.
  let passEndsAt = time.measureEndsAt
  let stop: EngineStop = 'decided'
  let onePass = false
  for (let passIndex = 0; ; passIndex++) {
    const measured: PassResult = yield* measurePass({
      callsPerBatch: passCallsPerBatch,
      batches: batchesThatFit(options.batches, passCallsPerBatch, msPerCallNow(), sampleMs, passEndsAt - now()),
      // The calls stop one reading before the pass's end: the reading after them ends by then.
      stopAt: passEndsAt - sampleMs,
      floorOf,
      baseline: passIndex === 0 && afterWarmupIsBaseline ? afterWarmup : undefined,
      sampleMs,
      readAgainBy: time.readingsEndAt,
    })
    const pass = measured.pass
    growth = measured.growth
    passes.push(pass)
    if (measured.stopped === 'cap' || measured.stopped === 'heap-limit') {
      stop = measured.stopped
      states = runawayStates(pass, options)
      break
    }
    // A pass the measurement's time cut short while the verdict's time goes on (pass 1 keeps to the measurement's
    // time): a pending verdict still gets a pass that may run into the diagnosis's time.
    const cutByTime = measured.stopped === 'time'
    const outOfTime = cutByTime && passEndsAt >= time.verdictEndsAt
    const callsSoFar = warmupCalls + passes.reduce((sum, p) => sum + (p.samples.at(-1)?.calls ?? 0), 0)
    const memoryLeft = memoryForNextPass(ctx)
    let next =
      !options.confirm || outOfTime || passIndex + 1 >= MAX_PASSES
        ? undefined
        : nextPassCallsPerBatch(pass, callsSoFar, time.verdictEndsAt - now(), options.batches, memoryLeft)
    // No normal confirmation pass left: pass 3 was the last one, confirmation is off, or no pass fits in the time.
    const noTimeForAnother = options.confirm && next === undefined && passIndex + 1 < MAX_PASSES
    const lastPass = !options.confirm || passIndex >= CONFIRM_PASSES - 1 || next === undefined
    states = decideAll(passes, options, floorOf, lastPass, next !== undefined)
    if (noTimeForAnother) {
      // Growth the last pass shows plainly is not let through because no further pass fits: judged on that pass
      // alone where no earlier pass saw it because its calls were too few (not where one could have and read far
      // less: `burstAfter`). A confirmation pass the deadline cut short before its own growth could stand out of
      // the noise proves nothing either way: the verdict then rests on the passes before it.
      const cutShort = outOfTime && passes.length > 1
      const earlier = passes.slice(0, -1)
      // Growth only in steps (a Map of numbers doubling its table: the previous pass grew, its batch-to-batch median
      // did not) reads flat in a last pass too short to double the calls: that flat pass proves nothing either.
      const before = passes.at(-2)
      const callsBefore = callsSoFar - (pass.samples.at(-1)?.calls ?? 0)
      const stepsOnly = (metric: MetricName) =>
        before !== undefined &&
        (pass.samples.at(-1)?.calls ?? 0) < callsBefore &&
        before.rates[metric] > options.budget[metric] &&
        !growsEveryBatch(before, metric, options)
      const restsOnEarlier = METRIC_NAMES.some((metric) => cutShort || stepsOnly(metric))
      const settled = restsOnEarlier ? decideAll(earlier, options, floorOf, true, false) : states
      const alone = judgeOnePass(pass, options, floorOf)
      const aloneBefore =
        cutShort && earlier.length === 1 ? judgeOnePass(earlier[0] as LeakPass, options, floorOf) : undefined
      for (const metric of METRIC_NAMES) {
        if (states[metric] !== 'clean') continue
        const ownGrowth = pass.rates[metric] * windowCalls(pass)
        if ((cutShort || stepsOnly(metric)) && ownGrowth < floorOf(metric)) {
          if (settled[metric] === 'leak' || aloneBefore?.[metric] === 'leak') {
            states[metric] = 'leak'
            onePass = aloneBefore?.[metric] === 'leak' && settled[metric] !== 'leak'
          }
          continue
        }
        const seenBefore = earlier.some((pass) => standsOut(pass, metric, options, floorOf))
        if (alone[metric] === 'leak' && !seenBefore && !burstAfter(earlier, pass, metric, floorOf(metric))) {
          states[metric] = 'leak'
          onePass = true
        }
      }
    }
    const leftMs = time.verdictEndsAt - now()
    const further =
      passIndex > 0 && next !== undefined
        ? furtherPassCallsPerBatch(passes, next, callsSoFar, memoryLeft, leftMs, options)
        : undefined
    if (further !== undefined && METRIC_NAMES.some((metric) => states[metric] === 'leak')) {
      // A steady rate over a short horizon may still be a structure filling up: while one more pass fits in the
      // time and in the verdict's memory budget, the leak waits for it.
      for (const metric of METRIC_NAMES) if (states[metric] === 'leak') states[metric] = 'fading'
      next = further
    }
    const allClean = METRIC_NAMES.every((metric) => states[metric] === 'clean')
    if (allClean && next !== undefined) {
      if (passIndex === 0 && warmupGrew) {
        // The warm-up grew but pass 1 did not: growth in steps may have fallen between its readings, or a structure
        // may have filled just before it. A clean verdict waits for one pass over a longer horizon.
        states.heap = 'suspect'
      } else if (needsSensitivity(passes, options, floorOf, now() - time.startedAt, time)) {
        // Clean, but over too few calls to see a leak of a few bytes per call (a slow fn): more calls while the
        // time allows.
        states.heap = 'suspect'
      }
    }
    const pending = Object.values(states)
    const fading = pending.includes('fading')
    // A leak that stands (no further pass was asked for it) is the verdict: the other metrics' pending states would
    // only decide which of them the failure lists too (the external memory of a leaked server fading, after heap and
    // handles confirmed: three more passes, the whole deadline, for nothing).
    const leakStands = pending.includes('leak')
    if (leakStands || (!fading && !pending.includes('suspect'))) {
      if (cutByTime) stop = 'time'
      break
    }
    if (next === undefined) {
      if (cutByTime || noTimeForAnother) stop = 'time'
      break
    }
    passCallsPerBatch = next
    passEndsAt = time.verdictEndsAt
  }
  // Whatever is still pending when the loop ends was not confirmed.
  for (const metric of METRIC_NAMES) {
    if (states[metric] === 'suspect' || states[metric] === 'fading') states[metric] = 'clean'
  }
  if (stop === 'time' && options.confirm && states.heap === 'clean') {
    const warmup = { calls: warmupCallsMade, growth: warmupGrowth }
    if (warmupConfirms(warmup, passes, options.budget.heap, floorOf('heap'))) {
      states.heap = 'leak'
      onePass = true
    }
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
    if (result.stopped === 'time' || result.stopped === 'turn') break
    chunk *= 2
  }
  const msPerCall = Number.isFinite(bestMsPerCall) ? bestMsPerCall : elapsed / Math.max(1, calls)
  return { msPerCall, calls }
}

const total = (reading: Pick<Reading, 'heap' | 'external'>) => reading.heap + reading.external

/**
 * Warm-up calls: two batches of pass 1's first sizing, and for a slow function as many as fit in WARMUP_MIN_SHARE of
 * the measurement's time (up to WARMUP_MIN_CALLS); fewer when calibration grew the heap fast (a share of the
 * verdict's memory budget).
 */
function warmupSize(callsPerBatch: number, growthPerCall: number, callsMade: number, byTime: number): number {
  const byMemory =
    growthPerCall > 0 ? Math.floor((WARMUP_MEMORY_SHARE * VERDICT_GROWTH_BYTES) / growthPerCall) : Infinity
  const wanted = Math.max(2 * callsPerBatch, Math.min(byTime, WARMUP_MIN_CALLS))
  return Math.max(Math.min(wanted, Math.max(byMemory, WARMUP_MIN_CALLS)), callsMade)
}

/**
 * A slow function's warm-up runs at least this share of the measurement's time (up to WARMUP_MIN_CALLS calls): two
 * batches of its first pass are a few dozen calls, after which V8 is still compiling, caching and sizing what the calls
 * use (an HTTP request per call read 40 B/call in pass 1 after 50 warm-up calls, ~1 B/call after 1,000, and stays flat
 * after 20,000).
 */
const WARMUP_MIN_SHARE = 0.1

/** The warm-up's share of the measurement's time, and never less than two first passes. */
const WARMUP_TIME_SHARE = 0.2
/**
 * A warm-up that grew by this many heap noise floors (32 KiB sync), at a rate the passes then kept, is a leak's
 * evidence when the deadline cut the passes too short to confirm on their own (a Jest worker under load, whose
 * readings take ~100 ms each, under a 1 s test timeout).
 */
const WARMUP_EVIDENCE_FLOORS = 8

/**
 * The warm-up (between two post-GC readings, after calibration's first calls) grew plainly, over budget, and the
 * passes the deadline left grew past the floor at a rate within HOLD_RATIO of the warm-up's either way: the growth
 * kept its rate over calls that one-time growth and noise would not. A structure that filled in the warm-up reads
 * flat in the passes.
 */
function warmupConfirms(
  warmup: { calls: number; growth: number },
  passes: readonly LeakPass[],
  budget: number,
  floor: number,
): boolean {
  if (warmup.calls < WARMUP_PACE_CALLS || warmup.growth < WARMUP_EVIDENCE_FLOORS * floor) return false
  const warmupRate = warmup.growth / warmup.calls
  if (warmupRate <= budget) return false
  const span = spanReading(passes, 'heap', floor)
  return span.growth >= floor && span.rate >= warmupRate * HOLD_RATIO && span.rate * HOLD_RATIO <= warmupRate
}

/** A warm-up of this many calls or more times the calls better than calibration's few chunks. */
const WARMUP_PACE_CALLS = 256

function warmupTimeMs(time: TimePlan): number {
  return Math.max(2 * time.pass1Ms, WARMUP_TIME_SHARE * (time.measureEndsAt - time.startedAt))
}

/**
 * Memory a further pass may add: what is left of the verdict's budget, or — when a pass of the previous size would
 * not fit in it — half of what the hard cap has left, so a confirmation can still run (see nextPassCallsPerBatch).
 */
function memoryForNextPass(ctx: EngineContext): { budget: number; cap: number } {
  return { budget: Math.max(0, VERDICT_GROWTH_BYTES - ctx.retainedBytes()), cap: ctx.capLeftBytes() / 2 }
}

function standsOut(
  pass: LeakPass,
  metric: MetricName,
  options: ResolvedOptions,
  floorOf: (metric: MetricName) => number,
): boolean {
  return pass.rates[metric] > options.budget[metric] && pass.rates[metric] * windowCalls(pass) >= floorOf(metric)
}

/**
 * True when the passes so far, all clean, covered too few calls to see a leak the size of one small object per call:
 * the smallest growth that would stand out of the heap noise is over COARSE_SENSITIVITY (always worth more calls
 * while they fit), or over the budget while the measurement has used less than SENSITIVITY_TIME_SHARE of its time.
 */
function needsSensitivity(
  passes: readonly LeakPass[],
  options: ResolvedOptions,
  floorOf: (metric: MetricName) => number,
  elapsedMs: number,
  time: TimePlan,
): boolean {
  const detectable = sensitivityOf(passes, floorOf).heap
  if (detectable > Math.max(COARSE_SENSITIVITY, options.budget.heap)) return true
  const shareUsed = elapsedMs / Math.max(1, time.measureEndsAt - time.startedAt)
  return detectable > options.budget.heap && shareUsed < SENSITIVITY_TIME_SHARE
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
    stop: stop === 'time' || stop === 'turn' ? 'time' : stop,
    sensitivity: sensitivityOf([pass], floorOf),
    onePass: true,
  }
}

function pick(reading: Reading) {
  return {
    heap: reading.heap,
    external: reading.external,
    handles: reading.handles,
    descriptors: reading.descriptors,
    listeners: reading.listeners,
  }
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
 * times the calls so far, or for continuous growth a shorter pass that still doubles them — fits in the time left
 * and in what is left of the verdict's memory budget. Only cheap functions with a low rate get there: a leak of
 * 64 B/call would need 48 MB for its next pass.
 */
const LEAK_HORIZON_CALLS = 1_000_000

function furtherPassCallsPerBatch(
  passes: readonly LeakPass[],
  nextCallsPerBatch: number,
  callsSoFar: number,
  memoryLeft: { budget: number },
  leftMs: number,
  options: ResolvedOptions,
): number | undefined {
  if (callsSoFar >= LEAK_HORIZON_CALLS || passes.length < 2) return undefined
  const last = passes.at(-1) as LeakPass
  const batches = last.samples.length - 1
  const msPerCall = last.durationMs / Math.max(1, last.samples.at(-1)?.calls ?? 0)
  // The window's rate, steps included: a Map doubling its table costs what it costs.
  const bytesPerCall = Math.max(0, last.rates.heap + last.rates.external)
  const byTime = msPerCall > 0 ? leftMs / (msPerCall * batches) : Number.POSITIVE_INFINITY
  const byBytes = bytesPerCall > 0 ? memoryLeft.budget / (bytesPerCall * batches) : Number.POSITIVE_INFINITY
  if (nextCallsPerBatch <= Math.min(byTime, byBytes)) return nextCallsPerBatch
  // The full pass does not fit: a shorter one that does, and at least doubles the calls made, still shows a structure
  // that fills within them — but only for growth that is continuous (every batch grows, in the last two passes).
  // Growth in steps alone (a Map of numbers doubling its table) reads flat between steps in a window shorter than the
  // full pass, and would pass as levelled off.
  const continuous = passes
    .slice(-2)
    .every((pass) => MEMORY_METRICS.some((metric) => growsEveryBatch(pass, metric, options)))
  const fitted = Math.floor(Math.min(byTime, byBytes))
  return continuous && fitted * batches >= callsSoFar && fitted >= last.callsPerBatch ? fitted : undefined
}

const MEMORY_METRICS = ['heap', 'external'] as const

/**
 * The pass's median batch-to-batch growth is over budget: the metric grows in every batch, not only in steps (a Map
 * of numbers doubling its table reads ~0 there).
 */
function growsEveryBatch(pass: LeakPass, metric: MetricName, options: ResolvedOptions): boolean {
  return steadyRate(pass, metric).rate > options.budget[metric]
}

/**
 * A warm-up that grew by this many heap noise floors (32 KiB sync) gets its clean pass 1 confirmed over a longer
 * horizon. Clean code's warm-up read −5 to +9 KB across the accuracy cases; a Map doubling its table at 8,192
 * entries grows by ~200 KB.
 */
const WARMUP_GROWTH_FLOORS = 8

/** A pass has at least this many batches, whatever the time left: fewer readings give no slope to speak of. */
const MIN_BATCHES = 4

/**
 * The pass's batches: the `batches` option, fewer when they would not fit in the time left at the calls' pace and
 * the readings' cost (a short deadline, a heap that makes every GC slow) — a pass that ends by itself is judged on a
 * proper window, one cut by the deadline on what was left.
 */
function batchesThatFit(batches: number, callsPerBatch: number, msPerCall: number, sampleMs: number, leftMs: number) {
  const perBatch = callsPerBatch * msPerCall + sampleMs
  if (perBatch <= 0) return batches
  return clamp(Math.floor(leftMs / perBatch) - 1, Math.min(MIN_BATCHES, batches), batches)
}

/** Growth at least this many times the floor in a pass is a leak when no further pass fits in the time... */
const ONE_PASS_SIGNIFICANCE = 2

/**
 * The verdict of the last pass alone, when no further pass fits before the deadline and no earlier pass saw the
 * growth (its calls were too few): a metric whose growth stands well out of the noise and whose later half still
 * grows steadily — the median batch-to-batch rate over budget, its growth above the floor — is a leak. A structure
 * that filled during the pass reads ~0 in its later half.
 */
function judgeOnePass(
  pass: LeakPass,
  options: ResolvedOptions,
  floorOf: (metric: MetricName) => number,
): Record<MetricName, MetricState> {
  const states = allMetrics<MetricState>('clean')
  const middle = pass.windowStart + Math.floor((pass.samples.length - 1 - pass.windowStart) / 2)
  // The later half, when it has two full batches or more; else every batch of the pass (a deadline of a few hundred
  // ms leaves a handful).
  const fullBatches = (from: number) =>
    pass.samples
      .slice(from)
      .filter((s, i, all) => i > 0 && s.calls - (all[i - 1]?.calls ?? 0) >= pass.callsPerBatch / 2).length
  const late: LeakPass = { ...pass, windowStart: fullBatches(middle) >= 2 ? middle : 0 }
  for (const metric of METRIC_NAMES) {
    const floor = floorOf(metric)
    const growth = pass.rates[metric] * windowCalls(pass)
    const steady = steadyRate(late, metric, floor)
    const lateGrowth = steady.rate * steady.calls
    if (growth >= ONE_PASS_SIGNIFICANCE * floor && steady.rate > options.budget[metric] && lateGrowth >= floor) {
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
  return { heap: value, external: value, handles: value, descriptors: value, listeners: value }
}
