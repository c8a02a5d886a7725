import { getFullGc } from './gc.js'
import type { ResolvedOptions } from './options.js'
import { DeferredWorkTracker } from './probes/deferred.js'
import { type MemoryReading, readMemory, readTotalBytes } from './probes/memory.js'
import type { LeakPass, LeakReport, LeakSample, MetricName, MetricResult } from './report.js'
import { decideMetric, type MetricState } from './stats/decide.js'
import { growthPerCall, judgedWindow } from './stats/estimate.js'

/** Calibration doubles the calls until they have taken this long. */
const CALIBRATION_MS = 5
const MAX_CALIBRATION_CALLS = 100_000
/** More calls than this per batch add time, not sensitivity (noise after GC is a few KB per sample). */
const MAX_CALLS_PER_BATCH = 20_000
/** A pass's batches are sized so the clean path (warm-up + one pass) takes about this share of the time budget. */
const BATCH_SHARE_OF_BUDGET = 1 / 60
/** Confirmation passes multiply the calls per batch by this. */
const CONFIRM_GROWTH = 4
const MAX_PASSES = 3

type Step = { type: 'calls'; count: number } | { type: 'sample' } | { type: 'runaway-baseline' }

interface CallsResult {
  elapsedMs: number
  callsDone: number
  runaway: boolean
}

type StepResult = CallsResult | MemoryReading | undefined

interface EngineOutcome {
  passes: LeakPass[]
  states: Record<MetricName, MetricState>
  warmupCalls: number
}

const MEASURED_METRICS: readonly MetricName[] = ['heap', 'external']

/**
 * The measurement, written once as a generator of steps so the same logic drives sync functions (steps run
 * synchronously) and async ones (steps are awaited). It never touches `fn` itself.
 */
function* engine(options: ResolvedOptions, probeCalls: number): Generator<Step, EngineOutcome, StepResult> {
  const startedAt = performance.now()
  let warmupCalls = probeCalls

  // Calibrate: double the calls until they take a measurable time. These calls are warm-up too.
  let callsPerBatch = options.callsPerBatch
  if (callsPerBatch === undefined) {
    let chunk = 1
    let elapsed = 0
    let timed = 0
    while (elapsed < CALIBRATION_MS && timed < MAX_CALIBRATION_CALLS) {
      const result = (yield { type: 'calls', count: chunk }) as CallsResult
      elapsed += result.elapsedMs
      timed += result.callsDone
      if (result.runaway) break
      chunk *= 2
    }
    warmupCalls += timed
    const msPerCall = elapsed / Math.max(1, timed)
    const batchTargetMs = options.timeBudgetMs * BATCH_SHARE_OF_BUDGET
    callsPerBatch = clamp(Math.round(batchTargetMs / Math.max(msPerCall, 1e-6)), 1, MAX_CALLS_PER_BATCH)
  }

  const targetWarmup = options.warmupCalls ?? 2 * callsPerBatch
  if (targetWarmup > warmupCalls) {
    const result = (yield { type: 'calls', count: targetWarmup - warmupCalls }) as CallsResult
    warmupCalls += result.callsDone
  }
  // Warm the harness's own sampling code: its first run allocates (JIT, lazily built objects).
  yield { type: 'sample' }
  yield { type: 'sample' }

  const passes: LeakPass[] = []
  const maxPasses = options.confirm ? MAX_PASSES : 1
  let states = allMetrics<MetricState>('clean')
  for (let passIndex = 0; passIndex < maxPasses; passIndex++) {
    const previous = passes[passIndex - 1]
    const passCallsPerBatch = previous
      ? previous.callsPerBatch *
        confirmGrowth(previous.durationMs, options.timeBudgetMs - (performance.now() - startedAt))
      : callsPerBatch
    const pass = yield* measurePass(options, passCallsPerBatch)
    passes.push(pass)
    const lastPass = passIndex === maxPasses - 1 || pass.runaway
    states = allMetrics<MetricState>('clean')
    for (const metric of MEASURED_METRICS) {
      const rates = passes.map((p) => p.rates[metric])
      states[metric] = pass.runaway
        ? pass.rates[metric] > options.budget[metric]
          ? 'leak'
          : 'clean'
        : decideMetric(rates, options.budget[metric], options.confirm, lastPass)
    }
    if (lastPass || !Object.values(states).includes('suspect')) break
  }
  return { passes, states, warmupCalls }
}

function* measurePass(options: ResolvedOptions, callsPerBatch: number): Generator<Step, LeakPass, StepResult> {
  const startedAt = performance.now()
  const first = (yield { type: 'sample' }) as MemoryReading
  yield { type: 'runaway-baseline' }
  const samples: LeakSample[] = [{ calls: 0, ...first }]
  let calls = 0
  let runaway = false
  for (let batch = 0; batch < options.batches; batch++) {
    const result = (yield { type: 'calls', count: callsPerBatch }) as CallsResult
    calls += result.callsDone
    const reading = (yield { type: 'sample' }) as MemoryReading
    samples.push({ calls, ...reading })
    if (result.runaway || reading.heap + reading.external - first.heap - first.external > options.runawayBytes) {
      runaway = true
      break
    }
  }
  const window = runaway ? samples : judgedWindow(samples)
  const rates = allMetrics(0)
  for (const metric of MEASURED_METRICS) {
    const key = metric as 'heap' | 'external'
    rates[metric] = runaway
      ? ((samples.at(-1)?.[key] ?? 0) - first[key]) / Math.max(1, calls)
      : growthPerCall(window.map((s) => ({ x: s.calls, y: s[key] })))
  }
  return {
    callsPerBatch,
    samples,
    windowStart: samples.length - window.length,
    rates,
    durationMs: performance.now() - startedAt,
    runaway,
  }
}

/** How much to grow the calls for a confirmation pass: 4×, less when the time budget is short, never under 2×. */
function confirmGrowth(previousPassMs: number, remainingMs: number): number {
  if (previousPassMs <= 0) return CONFIRM_GROWTH
  return clamp(Math.floor(remainingMs / previousPassMs), 2, CONFIRM_GROWTH)
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
    turnEventLoop: options.turnEventLoop === true,
    startedAt: performance.now(),
  }
  const release = () => {
    state.tracker?.disable()
    proc[ACTIVE] = false
  }
  try {
    if (options.turnEventLoop !== false) {
      state.tracker = new DeferredWorkTracker()
      state.tracker.enable()
    }
    const first = callOnce(state)
    const generator = engine(options, 1)
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
  state.gc()
  state.gc()
  return readMemory()
}

function callOnce(state: DriverState): unknown {
  state.callNumber++
  if (state.tracker) state.tracker.recording = true
  try {
    return state.fn()
  } catch (error) {
    throw callError(error, state.callNumber)
  } finally {
    if (state.tracker) state.tracker.recording = false
  }
}

function runCallsSync(state: DriverState, count: number): CallsResult {
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
  const checkEvery = Math.max(1, count >> 3)
  const startedAt = performance.now()
  for (let done = 0; done < count; ) {
    const callNumber = state.callNumber + 1
    await withTimeout(callOnce(state), state.options.callTimeoutMs, callNumber)
    done++
    if (done % checkEvery === 0 && isRunaway(state)) {
      return { elapsedMs: performance.now() - startedAt, callsDone: done, runaway: true }
    }
  }
  return { elapsedMs: performance.now() - startedAt, callsDone: count, runaway: false }
}

function withTimeout(value: unknown, timeoutMs: number, callNumber: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(
        new LeakMeasurementError(
          `leakproof: call ${callNumber} of fn did not settle within ${timeoutMs} ms. ` +
            'Make sure the promise it returns resolves or rejects, or raise callTimeoutMs.',
        ),
      )
    }, timeoutMs)
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
async function sampleAfterEventLoop(state: DriverState): Promise<MemoryReading> {
  const { tracker, options } = state
  if (tracker) {
    const deadline = performance.now() + options.settleTimersMs + 50
    let wait = tracker.longestSettleableWait(options.settleTimersMs)
    while (wait >= 0 && performance.now() < deadline) {
      await (wait === 0 ? nextMacrotask() : sleep(Math.min(wait, 50)))
      wait = tracker.longestSettleableWait(options.settleTimersMs)
    }
  }
  state.gc()
  await nextMacrotask()
  state.gc()
  await sleep(0)
  state.gc()
  return readMemory()
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
    const measured = MEASURED_METRICS.includes(metric)
    metrics[metric] = {
      perCall: measured ? last.rates[metric] : 0,
      budget: state.options.budget[metric],
      exceeded: states[metric] === 'leak',
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
    verdict: explainVerdict(metrics, passes),
    nodeVersion: process.version,
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
  if (passes.length > 1) return 'growth seen at first faded when re-measured with more calls (one-time or noise)'
  return 'no metric grew past its budget'
}
