import { getFullGc } from './gc.js'
import type { ResolvedOptions } from './options.js'
import { DeferredWorkTracker } from './probes/deferred.js'
import { HandleTracker } from './probes/handles.js'
import { clearKeptWeakRefTargets, ListenerTracker, splitListenerKey } from './probes/listeners.js'
import { type MemoryReading, readMemory, readTotalBytes } from './probes/memory.js'
import type { LeakDetails, LeakPass, LeakReport, LeakSample, MetricName, MetricResult } from './report.js'
import { decideMetric, type MetricState } from './stats/decide.js'
import { growthPerCall, judgedWindow, median } from './stats/estimate.js'

/** Calibration doubles the calls until they have taken this long. */
const CALIBRATION_MS = 5
const MAX_CALIBRATION_CALLS = 100_000
/** Chunks of 1, 2, 4 and 8 calls at least; batches are sized from the fastest (warmest) chunk. */
const MIN_CALIBRATION_CHUNKS = 4
/** More calls than this per batch add time, not sensitivity (noise after GC is a few KB per sample). */
const MAX_CALLS_PER_BATCH = 20_000
/** A pass's batches are sized so the clean path (warm-up + one pass) takes about this share of the time budget. */
const BATCH_SHARE_OF_BUDGET = 1 / 60
/** Confirmation passes multiply the calls per batch by this. */
const CONFIRM_GROWTH = 4
/** Pass 1 judges; passes 2 and 3 confirm. A metric still fading after pass 3 gets extension passes, up to this many. */
const CONFIRM_PASSES = 3
const MAX_PASSES = 6
/**
 * While a metric is fading (see `decideMetric`), the horizon is extended as long as the whole measurement stays
 * within this many times `timeBudgetMs` (12 s with the default 3 s) — pass 3 is sized to fit, and a further pass runs
 * only if at least twice the previous one's calls fit — and within MAX_EXTENDED_CALLS measured calls.
 */
const EXTENDED_TIME_FACTOR = 4
const MAX_EXTENDED_CALLS = 10_000_000
/** Runs of the reading code (without GC) before the first reading, so V8 has compiled it. */
const HARNESS_WARMUP_ROUNDS = 300

type Step =
  | { type: 'calls'; count: number }
  | { type: 'sample' }
  | { type: 'runaway-baseline' }
  | { type: 'warm-harness' }

interface CallsResult {
  elapsedMs: number
  callsDone: number
  runaway: boolean
}

/** A post-GC sample: memory, and the handles and listeners the calls left behind, with their breakdown. */
interface Reading extends MemoryReading {
  handles: number
  listeners: number
  /** Live handles per type. */
  handleTypes: ReadonlyMap<string, number>
  /** Listeners added per target and event (keys from `listenerKey`). */
  listenerKeys: ReadonlyMap<string, number>
}

type StepResult = CallsResult | Reading | undefined

/** Growth per call of one handle type or listener key over a pass's judged window, and its count at the end. */
interface KeyGrowth {
  key: string
  perCall: number
  count: number
}

interface EngineOutcome {
  passes: LeakPass[]
  states: Record<MetricName, MetricState>
  warmupCalls: number
  /** Breakdown of handle and listener growth in the last pass. */
  growth: { handles: KeyGrowth[]; listeners: KeyGrowth[] }
}

/** Metrics not measured in a run read 0 in every sample, so judging all four is safe. */
const MEASURED_METRICS: readonly MetricName[] = ['heap', 'external', 'handles', 'listeners']

/**
 * The measurement, written once as a generator of steps so the same logic drives sync functions (steps run
 * synchronously) and async ones (steps are awaited). It never touches `fn` itself.
 */
function* engine(
  options: ResolvedOptions,
  probeCalls: number,
  noise: { turnsEventLoop: () => boolean },
): Generator<Step, EngineOutcome, StepResult> {
  const startedAt = performance.now()
  let warmupCalls = probeCalls

  // Calibrate: double the calls until they take a measurable time. These calls are warm-up too.
  let callsPerBatch = options.callsPerBatch
  if (callsPerBatch === undefined) {
    let chunk = 1
    let elapsed = 0
    let timed = 0
    let chunks = 0
    let bestMsPerCall = Number.POSITIVE_INFINITY
    // At least MIN_CALIBRATION_CHUNKS chunks: a first call slowed by a GC or compilation must not size the batches.
    while ((elapsed < CALIBRATION_MS || chunks < MIN_CALIBRATION_CHUNKS) && timed < MAX_CALIBRATION_CALLS) {
      const result = (yield { type: 'calls', count: chunk }) as CallsResult
      elapsed += result.elapsedMs
      timed += result.callsDone
      chunks++
      if (result.runaway) break
      if (result.callsDone > 0) bestMsPerCall = Math.min(bestMsPerCall, result.elapsedMs / result.callsDone)
      chunk *= 2
    }
    warmupCalls += timed
    const msPerCall = Number.isFinite(bestMsPerCall) ? bestMsPerCall : elapsed / Math.max(1, timed)
    const batchTargetMs = options.timeBudgetMs * BATCH_SHARE_OF_BUDGET
    callsPerBatch = clamp(Math.round(batchTargetMs / Math.max(msPerCall, 1e-6)), 1, MAX_CALLS_PER_BATCH)
  }

  const targetWarmup = options.warmupCalls ?? 2 * callsPerBatch
  if (targetWarmup > warmupCalls) {
    const result = (yield { type: 'calls', count: targetWarmup - warmupCalls }) as CallsResult
    warmupCalls += result.callsDone
  }
  // Warm the harness's own sampling code: its first runs allocate feedback vectors, baseline code and maps that
  // otherwise grow the heap by ~1–2 KB per reading for dozens of readings (0.1 B/call for a noop).
  yield { type: 'warm-harness' }
  yield { type: 'sample' }
  yield { type: 'sample' }

  // The floor depends on whether the event loop turns between batches, which is known only once the calls ran.
  const floorOf = (metric: MetricName) => noiseFloor(metric, noise.turnsEventLoop())
  const passes: LeakPass[] = []
  let states = allMetrics<MetricState>('clean')
  let growth: EngineOutcome['growth'] = { handles: [], listeners: [] }
  let passCallsPerBatch = callsPerBatch
  let measuredCalls = 0
  for (let passIndex = 0; ; passIndex++) {
    const measured = yield* measurePass(options, passCallsPerBatch, floorOf)
    const pass = measured.pass
    growth = measured.growth
    passes.push(pass)
    measuredCalls += pass.samples.at(-1)?.calls ?? 0
    const elapsedMs = performance.now() - startedAt
    // No normal confirmation pass left: pass 3 was the last one, or this one ran away, or confirmation is off.
    const lastPass = !options.confirm || pass.runaway || passIndex >= CONFIRM_PASSES - 1
    // The longer pass a fading metric would get next, if it fits the caps on passes, time and calls.
    const extendedMs = options.timeBudgetMs * EXTENDED_TIME_FACTOR - elapsedMs
    const extension =
      !options.confirm || pass.runaway || passIndex + 1 >= MAX_PASSES
        ? undefined
        : passIndex + 1 < CONFIRM_PASSES
          ? confirmCallsPerBatch(pass, extendedMs, options.batches)
          : extensionCallsPerBatch(pass, extendedMs, options.batches, MAX_EXTENDED_CALLS - measuredCalls)
    states = allMetrics<MetricState>('clean')
    pass.cumulativeRates = allMetrics(0)
    for (const metric of MEASURED_METRICS) {
      const readings = passes.map((_, index) => cumulativeReading(passes.slice(0, index + 1), metric, floorOf))
      pass.cumulativeRates[metric] = readings.at(-1)?.rate ?? 0
      const floor = floorOf(metric)
      states[metric] = pass.runaway
        ? pass.rates[metric] > options.budget[metric]
          ? 'leak'
          : 'clean'
        : decideMetric(
            readings.map((reading) => ({ ...reading, floor })),
            options.budget[metric],
            options.confirm,
            lastPass,
            extension !== undefined,
          )
    }
    const pending = Object.values(states)
    const fading = pending.includes('fading')
    if (!fading && !pending.includes('suspect')) break
    if (lastPass && (!fading || extension === undefined)) break
    // A normal confirmation pass is sized within timeBudgetMs, as a suspected leak needs no more to be confirmed; a
    // fading metric gets the extended time budget, since its verdict depends on seeing the growth level off.
    passCallsPerBatch =
      fading && extension !== undefined
        ? extension
        : confirmCallsPerBatch(pass, options.timeBudgetMs - elapsedMs, options.batches)
  }
  return { passes, states, warmupCalls, growth }
}

function* measurePass(
  options: ResolvedOptions,
  callsPerBatch: number,
  floorOf: (metric: MetricName) => number,
): Generator<Step, { pass: LeakPass; growth: EngineOutcome['growth'] }, StepResult> {
  const startedAt = performance.now()
  // Readings go into arrays allocated before the baseline, so the harness itself retains nothing per sample.
  const size = options.batches + 1
  const callsAt = new Float64Array(size)
  const heapAt = new Float64Array(size)
  const externalAt = new Float64Array(size)
  const handlesAt = new Float64Array(size)
  const listenersAt = new Float64Array(size)
  const first = (yield { type: 'sample' }) as Reading
  heapAt[0] = first.heap
  externalAt[0] = first.external
  handlesAt[0] = first.handles
  listenersAt[0] = first.listeners
  // Breakdowns are kept only at the judged window's first sample and the latest one: nothing retained per sample.
  const windowStartIndex = Math.floor(options.batches / 3)
  let windowStart = first
  let last = first
  yield { type: 'runaway-baseline' }
  let count = 1
  let calls = 0
  let runaway = false
  for (let batch = 0; batch < options.batches; batch++) {
    const result = (yield { type: 'calls', count: callsPerBatch }) as CallsResult
    calls += result.callsDone
    const reading = (yield { type: 'sample' }) as Reading
    callsAt[count] = calls
    heapAt[count] = reading.heap
    externalAt[count] = reading.external
    handlesAt[count] = reading.handles
    listenersAt[count] = reading.listeners
    if (count === windowStartIndex) windowStart = reading
    last = reading
    count++
    if (result.runaway || reading.heap + reading.external - first.heap - first.external > options.runawayBytes) {
      runaway = true
      break
    }
  }
  const samples: LeakSample[] = Array.from({ length: count }, (_, i) => ({
    calls: callsAt[i] as number,
    heap: heapAt[i] as number,
    external: externalAt[i] as number,
    handles: handlesAt[i] as number,
    listeners: listenersAt[i] as number,
  }))
  const window = runaway ? samples : judgedWindow(samples)
  const rates = allMetrics(0)
  for (const metric of MEASURED_METRICS) {
    rates[metric] = runaway
      ? ((samples.at(-1)?.[metric] ?? 0) - first[metric]) / Math.max(1, calls)
      : growthPerCall(
          window.map((s) => ({ x: s.calls, y: s[metric] })),
          floorOf(metric),
        )
  }
  const start = runaway ? first : windowStart
  const startCalls = samples[runaway ? 0 : samples.length - window.length]?.calls ?? 0
  const windowCallCount = Math.max(1, calls - startCalls)
  return {
    pass: {
      callsPerBatch,
      samples,
      windowStart: samples.length - window.length,
      rates,
      durationMs: performance.now() - startedAt,
      runaway,
    },
    growth: {
      handles: keyGrowth(start.handleTypes, last.handleTypes, windowCallCount),
      listeners: keyGrowth(start.listenerKeys, last.listenerKeys, windowCallCount),
    },
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

/**
 * A metric's reading after the given passes: pass 1 alone is judged on its window; with confirmation passes the
 * rate runs from the start of pass 1's window to the end of the last pass. Over that growing span a real leak keeps
 * its rate, step growth (a Map doubling its table) averages out instead of falling between windows, and one-time
 * growth fades like 1/N.
 */
function cumulativeReading(
  passes: readonly LeakPass[],
  metric: MetricName,
  floorOf: (metric: MetricName) => number,
): { rate: number; growth: number; own?: { rate: number; growth: number; noise: number } } {
  const [first] = passes
  if (!first) return { rate: 0, growth: 0 }
  if (passes.length === 1) return { rate: first.rates[metric], growth: first.rates[metric] * windowCalls(first) }
  const points: { x: number; y: number }[] = []
  let offset = 0
  let shift = 0
  passes.forEach((pass, index) => {
    // A later pass joins the span at its first batch's reading: no call runs between passes, and the first batch at
    // a larger batch size is where one-time costs of that size land (the handle tracker's table growing to hold a
    // batch of live handles, V8 sizing its own tables), not growth per call. Its calls are left out of the span too,
    // so a steady leak's line stays continuous.
    const joinAt = index === 0 ? pass.windowStart : Math.min(1, pass.samples.length - 1)
    const samples = pass.samples.slice(joinAt)
    const join = samples[0]
    if (!join) return
    let xShift = offset
    if (index > 0) {
      shift = (points.at(-1)?.y ?? 0) - join[metric]
      xShift = offset - join.calls
    }
    for (const sample of samples) points.push({ x: xShift + sample.calls, y: sample[metric] + shift })
    offset = xShift + (pass.samples.at(-1)?.calls ?? 0)
  })
  const rate = growthPerCall(points, floorOf(metric))
  const span = (points.at(-1)?.x ?? 0) - (points[0]?.x ?? 0)
  const last = passes.at(-1) as LeakPass
  return {
    rate,
    growth: rate * span,
    own: { rate: last.rates[metric], growth: last.rates[metric] * windowCalls(last), noise: batchNoise(last, metric) },
  }
}

/**
 * Batch-to-batch noise of a metric in a pass: the robust spread (1.4826 × median absolute deviation) of the growth
 * from one reading to the next around its median. A steady leak adds the same growth every batch and a Map's table
 * grows in rare steps, so both read near 0; a heap that wanders by ±20 KB between post-GC readings reads ~20 KB.
 */
function batchNoise(pass: LeakPass, metric: MetricName): number {
  const steps = pass.samples.slice(1).map((sample, i) => sample[metric] - (pass.samples[i]?.[metric] ?? 0))
  if (steps.length < 2) return 0
  const typical = median(steps)
  return 1.4826 * median(steps.map((step) => Math.abs(step - typical)))
}

/** Calls between the first and last sample of a pass's judged window. */
function windowCalls(pass: LeakPass): number {
  return (pass.samples.at(-1)?.calls ?? 0) - (pass.samples[pass.windowStart]?.calls ?? 0)
}

/**
 * Growth over a judged window that noise alone can produce, in the metric's unit. Post-GC heap readings of clean
 * sync code move by up to ~2 KB over a window (harness and JIT leftovers); with the event loop turning between
 * batches (async code, timers) one-time steps of 8–10 KB were seen in Vitest workers.
 */
function noiseFloor(metric: MetricName, turnsEventLoop: boolean): number {
  if (metric === 'heap') return turnsEventLoop ? 16 * 1024 : 4 * 1024
  if (metric === 'external') return 4 * 1024
  // Counts of clean code did not move by one in any sample (11 cases × 5 runs), but a lazily created singleton (the
  // DNS channel of a first listen(), http's date-cache timer) is a one-time step of 1: it takes 2 to stand out.
  return 2
}

/** A confirmation pass whose projected growth passes this is not grown further: the leak is plain already. */
const CONFIRM_GROWTH_CAP_BYTES = 16 * 1024 * 1024

/** How many times the previous pass's duration fits in the time left. */
function passesThatFit(previous: LeakPass, remainingMs: number): number {
  return previous.durationMs <= 0 ? CONFIRM_GROWTH : Math.floor(remainingMs / previous.durationMs)
}

/**
 * Calls per batch of a confirmation pass: 4× the previous pass, less when the time left is short (never under 2×),
 * and no more than keeps the projected heap growth under 16 MiB (a plain leak needs no more calls to confirm, and a
 * bigger heap only makes every GC slower).
 */
function confirmCallsPerBatch(previous: LeakPass, remainingMs: number, batches: number): number {
  const wanted = previous.callsPerBatch * clamp(passesThatFit(previous, remainingMs), 2, CONFIRM_GROWTH)
  const bytesPerCall = Math.max(previous.rates.heap, previous.rates.external, 0)
  const byMemory = Math.floor(CONFIRM_GROWTH_CAP_BYTES / Math.max(1e-9, bytesPerCall * batches))
  return Math.max(previous.callsPerBatch, Math.min(wanted, byMemory))
}

/**
 * Calls per batch of an extension pass (after pass 3): sized like a confirmation pass and cut to the calls left, or
 * no pass at all (undefined) unless at least 2× the previous pass's duration fits in the time left and the calls left
 * allow at least the previous batch size.
 */
function extensionCallsPerBatch(
  previous: LeakPass,
  remainingMs: number,
  batches: number,
  callsLeft: number,
): number | undefined {
  if (passesThatFit(previous, remainingMs) < 2) return undefined
  const byCalls = Math.floor(callsLeft / batches)
  if (byCalls < previous.callsPerBatch) return undefined
  return Math.min(confirmCallsPerBatch(previous, remainingMs, batches), byCalls)
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}

function allMetrics<T>(value: T): Record<MetricName, T> {
  return { heap: value, external: value, handles: value, listeners: value }
}

// ---------------------------------------------------------------------------------------------------------------
// Drivers: run the engine's steps against fn, synchronously or with awaits.

export type MeasuredFunction = () => unknown

export class LeakMeasurementError extends Error {
  override name = 'LeakMeasurementError'
}

interface DriverState {
  fn: MeasuredFunction
  options: ResolvedOptions
  gc: () => void
  callNumber: number
  runawayBaseline: number
  mode: 'sync' | 'async'
  tracker: DeferredWorkTracker | undefined
  /** Counts handles the calls leave alive; switched off after warm-up when the calls created none. */
  handles: HandleTracker | undefined
  /** False with `turnEventLoop: false`: handle destruction is only reported when the event loop turns. */
  measuresHandles: boolean
  listeners: ListenerTracker
  /** True once the harness decided to let the event loop turn between batches. */
  turnEventLoop: boolean
  startedAt: number
}

const ACTIVE = Symbol.for('leakproof.measurement-active')
type ProcessWithFlag = NodeJS.Process & { [ACTIVE]?: boolean }

/**
 * Runs the whole measurement. Returns synchronously for a sync fn unless it must let the event loop turn;
 * returns a Promise for an async fn (one whose first call returned a thenable).
 */
export function runMeasurement(fn: MeasuredFunction, options: ResolvedOptions): LeakReport | Promise<LeakReport> {
  const proc = process as ProcessWithFlag
  if (proc[ACTIVE]) {
    throw new LeakMeasurementError(
      'leakproof: a leak measurement is already running in this process. Measurements cannot overlap: await the ' +
        'previous one, and do not run leak assertions in concurrent tests.',
    )
  }
  proc[ACTIVE] = true
  let settledSynchronously = true
  const state: DriverState = {
    fn,
    options,
    gc: getFullGc(),
    callNumber: 0,
    runawayBaseline: 0,
    mode: 'sync',
    tracker: undefined,
    handles: undefined,
    measuresHandles: options.turnEventLoop !== false,
    listeners: new ListenerTracker(),
    turnEventLoop: options.turnEventLoop === true,
    startedAt: performance.now(),
  }
  const release = () => {
    state.tracker?.disable()
    state.handles?.disable()
    state.listeners.uninstall()
    proc[ACTIVE] = false
  }
  try {
    if (options.turnEventLoop !== false) {
      state.tracker = new DeferredWorkTracker()
      state.tracker.enable()
      state.handles = new HandleTracker()
      state.handles.enable()
    }
    state.listeners.watch(process, 'process')
    for (const { label, target } of options.emitters) state.listeners.watch(target, label)
    state.listeners.install()
    const first = callOnce(state)
    const generator = engine(options, 1, { turnsEventLoop: () => state.turnEventLoop })
    let result: LeakReport | Promise<LeakReport>
    if (isThenable(first)) {
      state.mode = 'async'
      state.turnEventLoop = true
      result = Promise.resolve(first)
        .then(
          () => {},
          (error: unknown) => {
            throw callError(error, 1)
          },
        )
        .then(() => driveAsync(generator, state, undefined))
    } else {
      result = driveSync(generator, state)
    }
    if (isThenable(result)) {
      settledSynchronously = false
      return result.finally(release)
    }
    return result
  } finally {
    if (settledSynchronously) release()
  }
}

function driveSync(
  generator: Generator<Step, EngineOutcome, StepResult>,
  state: DriverState,
): LeakReport | Promise<LeakReport> {
  let input: StepResult
  for (;;) {
    if (!state.turnEventLoop && state.handles?.sawHandles) {
      // Closed handles are reported destroyed only when the event loop turns: continue with awaits.
      state.turnEventLoop = true
      return driveAsync(generator, state, input)
    }
    if (!state.turnEventLoop && state.tracker && state.callNumber > 1) {
      if (state.tracker.longestSettleableWait(state.options.settleTimersMs) >= 0) {
        // The calls left timers or ticks behind that hold memory until they run: continue with awaits.
        state.turnEventLoop = true
        return driveAsync(generator, state, input)
      }
    }
    const step = generator.next(input)
    if (step.done) return buildReport(step.value, state)
    input = runStepSync(step.value, state)
    stopTrackingIfQuiet(state, step.value)
  }
}

async function driveAsync(
  generator: Generator<Step, EngineOutcome, StepResult>,
  state: DriverState,
  firstInput: StepResult,
): Promise<LeakReport> {
  let input = firstInput
  for (;;) {
    const step = generator.next(input)
    if (step.done) return buildReport(step.value, state)
    const value = step.value
    if (value.type === 'sample') {
      input = await sampleAfterEventLoop(state)
    } else if (value.type === 'calls' && state.mode === 'async') {
      input = await runCallsAsync(state, value.count)
    } else {
      input = runStepSync(value, state)
    }
    stopTrackingIfQuiet(state, value)
  }
}

/** Once warm-up is over, an auto-mode tracker that saw no deferred work is switched off to keep calls fast. */
function stopTrackingIfQuiet(state: DriverState, step: Step): void {
  if (step.type === 'sample' && state.handles && !state.handles.sawHandles) {
    // No call created a handle during warm-up: spare the calls the hook (it also fires for every promise).
    state.handles.disable()
    state.handles = undefined
  }
  if (step.type !== 'sample' || !state.tracker || state.options.turnEventLoop !== 'auto') return
  if (state.tracker.longestSettleableWait(state.options.settleTimersMs) < 0 && !state.turnEventLoop) {
    state.tracker.disable()
    state.tracker = undefined
  }
}

function runStepSync(step: Step, state: DriverState): StepResult {
  if (step.type === 'calls') return runCallsSync(state, step.count)
  if (step.type === 'runaway-baseline') {
    state.runawayBaseline = readTotalBytes()
    return undefined
  }
  if (step.type === 'warm-harness') {
    for (let round = 0; round < HARNESS_WARMUP_ROUNDS; round++) {
      clearKeptWeakRefTargets()
      state.listeners.prune()
      readMemory()
      countLeftovers(state)
      readTotalBytes()
    }
    return undefined
  }
  clearKeptWeakRefTargets()
  // One full Mark-Compact frees everything unreachable: with no JS running in between, a second finds nothing
  // more (the accuracy corpus reads the same with one or two) and would double the cost of a clean verdict.
  state.gc()
  if (state.listeners.prune() > 0) state.gc()
  return { ...readMemory(), ...countLeftovers(state) }
}

/** Handles and listeners the calls left behind, read after GC (and, for handles, after the event loop turned). */
function countLeftovers(state: DriverState) {
  const handles = state.handles?.count()
  const listeners = state.listeners.count()
  return {
    handles: handles?.total ?? 0,
    handleTypes: handles?.byType ?? new Map<string, number>(),
    listeners: listeners.total,
    listenerKeys: listeners.byKey,
  }
}

/**
 * Turns recording of handles and listeners on or off; returns the previous setting. Async calls record for the
 * whole batch (resources created after an await belong to the calls too), sync calls only while `fn` runs.
 */
function setRecording(state: DriverState, on: boolean): boolean {
  const previous = state.listeners.recording
  state.listeners.recording = on
  if (state.handles) state.handles.recording = on
  return previous
}

function callOnce(state: DriverState): unknown {
  state.callNumber++
  if (state.tracker) state.tracker.recording = true
  const wasRecording = setRecording(state, true)
  try {
    return state.fn()
  } catch (error) {
    throw callError(error, state.callNumber)
  } finally {
    if (state.tracker) state.tracker.recording = false
    setRecording(state, wasRecording)
  }
}

function runCallsSync(state: DriverState, count: number): CallsResult {
  state.listeners.startBatch()
  const checkEvery = Math.max(1, count >> 3)
  const startedAt = performance.now()
  for (let done = 0; done < count; ) {
    const returned = callOnce(state)
    done++
    if (isThenable(returned)) {
      throw new LeakMeasurementError(
        `leakproof: fn returned a promise on call ${state.callNumber} but not on call 1. ` +
          'Make it always return a promise (an async function) or never.',
      )
    }
    if (done % checkEvery === 0 && isRunaway(state)) {
      return { elapsedMs: performance.now() - startedAt, callsDone: done, runaway: true }
    }
  }
  return { elapsedMs: performance.now() - startedAt, callsDone: count, runaway: false }
}

async function runCallsAsync(state: DriverState, count: number): Promise<CallsResult> {
  state.listeners.startBatch()
  setRecording(state, true)
  try {
    const checkEvery = Math.max(1, count >> 3)
    const startedAt = performance.now()
    for (let done = 0; done < count; ) {
      const callNumber = state.callNumber + 1
      await withTimeout(state, callOnce(state), callNumber)
      done++
      if (done % checkEvery === 0 && isRunaway(state)) {
        return { elapsedMs: performance.now() - startedAt, callsDone: done, runaway: true }
      }
    }
    return { elapsedMs: performance.now() - startedAt, callsDone: count, runaway: false }
  } finally {
    setRecording(state, false)
  }
}

function withTimeout(state: DriverState, value: unknown, callNumber: number): Promise<unknown> {
  const timeoutMs = state.options.callTimeoutMs
  return new Promise((resolve, reject) => {
    // The harness's own timer: not one of the calls' handles.
    const wasRecording = setRecording(state, false)
    const timer = setTimeout(() => {
      reject(
        new LeakMeasurementError(
          `leakproof: call ${callNumber} of fn did not settle within ${timeoutMs} ms. ` +
            'Make sure the promise it returns resolves or rejects, or raise callTimeoutMs.',
        ),
      )
    }, timeoutMs)
    setRecording(state, wasRecording)
    Promise.resolve(value).then(
      (result) => {
        clearTimeout(timer)
        resolve(result)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(callError(error, callNumber))
      },
    )
  })
}

function isRunaway(state: DriverState): boolean {
  if (state.runawayBaseline === 0) return false
  if (readTotalBytes() - state.runawayBaseline <= state.options.runawayBytes) return false
  // Without a GC the reading includes garbage: only a post-GC reading can call it a runaway.
  state.gc()
  return readTotalBytes() - state.runawayBaseline > state.options.runawayBytes
}

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve))
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** GC, let pending timers and immediates run, GC again: memory freed by the event loop is then gone. */
async function sampleAfterEventLoop(state: DriverState): Promise<Reading> {
  const { tracker, options } = state
  if (tracker) {
    const deadline = performance.now() + options.settleTimersMs + 50
    let wait = tracker.longestSettleableWait(options.settleTimersMs)
    while (wait >= 0 && performance.now() < deadline) {
      await (wait === 0 ? nextMacrotask() : sleep(Math.min(wait, 50)))
      wait = tracker.longestSettleableWait(options.settleTimersMs)
    }
  }
  clearKeptWeakRefTargets()
  state.gc()
  await nextMacrotask()
  state.gc()
  await sleep(0)
  state.gc()
  if (state.listeners.prune() > 0) state.gc()
  const memory = readMemory()
  // Handles freed by the last GC report their destruction on the next turn of the event loop.
  if (state.handles) await nextMacrotask()
  return { ...memory, ...countLeftovers(state) }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

function callError(error: unknown, callNumber: number): LeakMeasurementError {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return new LeakMeasurementError(`leakproof: fn threw on call ${callNumber}, so no verdict was reached. ${message}`, {
    cause: error,
  })
}

function buildReport(outcome: EngineOutcome, state: DriverState): LeakReport {
  const { passes, states, warmupCalls } = outcome
  const last = passes.at(-1) as LeakPass
  const metrics = {} as Record<MetricName, MetricResult>
  for (const metric of ['heap', 'external', 'handles', 'listeners'] as const) {
    const measured = metric !== 'handles' || state.measuresHandles
    const exceeded = states[metric] === 'leak'
    const spanRate = (last.cumulativeRates ?? last.rates)[metric]
    // A metric that passed although the span's rate is over budget passed because its growth faded (or stayed in
    // the noise): the figure is then the rate of the newest calls, the last pass's own window, which the verdict
    // rests on. A filled-up cache reads ~0 there, while its span rate still carries the filling.
    const perCall = exceeded || spanRate <= state.options.budget[metric] ? spanRate : last.rates[metric]
    metrics[metric] = {
      perCall: measured ? perCall : 0,
      budget: state.options.budget[metric],
      exceeded,
      unit: metric === 'heap' || metric === 'external' ? 'B' : 'count',
      measured,
    }
  }
  const leaked = Object.values(metrics).some((m) => m.exceeded)
  return {
    leaked,
    calls: passes.reduce((sum, pass) => sum + (pass.samples.at(-1)?.calls ?? 0), 0),
    warmupCalls,
    durationMs: performance.now() - state.startedAt,
    mode: state.mode,
    turnedEventLoop: state.turnEventLoop,
    metrics,
    passes,
    details: buildDetails(outcome, state),
    verdict: explainVerdict(metrics, passes),
    nodeVersion: process.version,
  }
}

/** Entries of each breakdown listed in the report. */
const MAX_DETAILS = 10

function buildDetails(outcome: EngineOutcome, state: DriverState): LeakDetails {
  return {
    handles: outcome.growth.handles.slice(0, MAX_DETAILS).map(({ key, perCall, count }) => ({
      type: key,
      perCall,
      live: count,
      stacks: state.handles?.stacksOf(key) ?? [],
    })),
    listeners: outcome.growth.listeners.slice(0, MAX_DETAILS).map(({ key, perCall, count }) => ({
      ...splitListenerKey(key),
      perCall,
      added: count,
      stacks: state.listeners.stacksOf(key),
    })),
  }
}

function explainVerdict(metrics: Record<MetricName, MetricResult>, passes: LeakPass[]): string {
  const last = passes.at(-1) as LeakPass
  const failing = (Object.keys(metrics) as MetricName[]).filter((name) => metrics[name].exceeded)
  if (last.runaway)
    return `stopped early: memory grew past the runaway limit after ${last.samples.at(-1)?.calls ?? 0} calls`
  if (failing.length > 0) {
    return passes.length > 1
      ? `${failing.join(' and ')} kept growing at the same rate when re-measured with ${last.callsPerBatch} calls per batch`
      : `${failing.join(' and ')} grew past the budget`
  }
  if (passes.length > CONFIRM_PASSES) {
    const calls = passes.reduce((sum, pass) => sum + (pass.samples.at(-1)?.calls ?? 0), 0)
    return `growth seen at first levelled off when the horizon was extended to ${calls} calls in ${passes.length} passes (a structure that filled up, one-time growth or noise)`
  }
  if (passes.length > 1) return 'growth seen at first faded when re-measured with more calls (one-time or noise)'
  return 'no metric grew past its budget'
}
