import { diagnose } from '../diagnose/diagnose.js'
import { LeakMeasurementError } from '../errors.js'
import { getFullGc } from '../gc.js'
import type { ResolvedOptions } from '../options.js'
import { mayHoldGarbage, noteSettled, noteStart, readMemory } from '../probes/memory.js'
import type { LeakLimits, LeakReport } from '../report.js'
import { isThenable } from '../util.js'
import { buildReport } from './build-report.js'
import { CallDriver, type CallsStop, type MeasuredFunction } from './calls.js'
import { now } from './clock.js'
import { DescriptorCap, descriptorBound } from './descriptor-cap.js'
import { drive, type StepRunner } from './drive.js'
import { type EngineOutcome, engine } from './engine.js'
import { Instruments } from './instruments.js'
import { acquireLease, type MeasurementLease } from './lease.js'
import { planTime } from './plan.js'
import { type CapState, RetainedCap } from './retained.js'

/** Default deadline when no runner says how long the test may take: fits Jest's and Vitest's default 5 s timeout. */
export const DEFAULT_DEADLINE_MS = 4000
/**
 * Under a runner, the deadline leaves this share of the test's timeout to the rest of the test, at least
 * RUNNER_MARGIN_MIN_MS (half of a timeout shorter than twice that): 5 s → 4 s, 60 s → 48 s, 1 s → 0.5 s.
 */
const RUNNER_MARGIN_SHARE = 0.2
const RUNNER_MARGIN_MIN_MS = 500
/** A deadline set by the deadlineMs option is at least this (the option's own minimum). */
const MIN_DEADLINE_MS = 100
/** A deadline from a test that has (almost) no time left: a verdict this short says what it could not see. */
const MIN_RUNNER_DEADLINE_MS = 10

/** What an adapter knows about the running test. */
export interface RunnerContext {
  source: 'vitest' | 'jest'
  /** The test's timeout, ms; 0 or Infinity when it has none. */
  testTimeoutMs: number
  /** Time the test has already run, ms. */
  elapsedMs: number
  /** Aborted when the test times out or is cancelled. */
  signal?: AbortSignal
}

export function resolveDeadline(
  options: ResolvedOptions,
  runner: RunnerContext | undefined,
): { deadlineMs: number; source: LeakLimits['deadlineSource'] } {
  const timeout = runner?.testTimeoutMs ?? 0
  const fromRunner =
    runner && timeout > 0 && Number.isFinite(timeout)
      ? timeout -
        Math.max(Math.min(RUNNER_MARGIN_MIN_MS, timeout / 2), timeout * RUNNER_MARGIN_SHARE) -
        runner.elapsedMs
      : undefined
  if (options.deadlineMs !== undefined) {
    if (fromRunner === undefined || options.deadlineMs <= fromRunner) {
      return { deadlineMs: Math.max(MIN_DEADLINE_MS, options.deadlineMs), source: 'option' }
    }
  }
  if (runner && fromRunner !== undefined) {
    return { deadlineMs: Math.max(MIN_RUNNER_DEADLINE_MS, fromRunner), source: runner.source }
  }
  return { deadlineMs: DEFAULT_DEADLINE_MS, source: 'default' }
}

export interface MeasureHooks {
  /**
   * Asked with a confirmed leak's report before its diagnosis: true skips the diagnosis (a leak the known-leaks
   * baseline accepts passes, so explaining it would only cost time).
   */
  skipDiagnosis?: (report: LeakReport) => boolean
}

/**
 * The one entry every public API goes through: the measurement and, on a confirmed leak, its diagnosis, all within
 * one deadline and under one process-wide lease that is released on every exit path. Returns synchronously for a
 * sync fn unless the event loop must turn; a promise for an async fn.
 */
export function measure(
  fn: MeasuredFunction,
  options: ResolvedOptions,
  runner?: RunnerContext,
  hooks: MeasureHooks = {},
): LeakReport | Promise<LeakReport> {
  const deadline = resolveDeadline(options, runner)
  const lease = acquireLease({ deadlineMs: deadline.deadlineMs, signal: options.signal ?? runner?.signal })
  let result: LeakReport | Promise<LeakReport>
  try {
    result = start(fn, options, lease, deadline.source, hooks)
  } catch (error) {
    release(lease)
    throw error
  }
  if (!isThenable(result)) {
    release(lease)
    return result
  }
  return result.finally(() => release(lease))
}

function release(lease: MeasurementLease): void {
  const failures = lease.release()
  if (failures.length > 0) {
    process.emitWarning(`leakproof could not undo everything it installed: ${failures.join('; ')}`)
  }
}

function start(
  fn: MeasuredFunction,
  options: ResolvedOptions,
  lease: MeasurementLease,
  deadlineSource: LeakLimits['deadlineSource'],
  hooks: MeasureHooks,
): LeakReport | Promise<LeakReport> {
  const gc = getFullGc()
  // What ran before may have left garbage (a previous test's leak, freed after it): collected first, or the start
  // reading counts it and growth since the start reads low once a GC frees it.
  if (mayHoldGarbage()) {
    gc()
    noteSettled()
  }
  noteStart()
  const startReading = {
    ...readMemory(),
    handles: 0,
    listeners: 0,
    descriptors: 0,
    handleTypes: new Map(),
    listenerKeys: new Map(),
  }
  const instruments = new Instruments(options, lease)
  const descriptorCap = instruments.measuresDescriptors
    ? new DescriptorCap(
        descriptorBound(instruments.descriptorsFreeAtStart()),
        () => (instruments.measuresDescriptors ? instruments.descriptorsNow() : undefined),
        () => instruments.turnEventLoop,
      )
    : undefined
  const cap = new RetainedCap(options.maxRetainedBytes, gc, () => instruments.turnEventLoop, descriptorCap)
  const calls = new CallDriver(fn, lease, instruments, cap, options.callTimeoutMs)
  const runner: StepRunner = { calls, instruments, lease, gc, settleTimersMs: options.settleTimersMs, mode: 'sync' }
  const time = planTime(lease.startedAt, lease.deadlineMs, options.diagnose !== false)
  const steps = (firstCallStop: CallsStop | undefined) =>
    engine({
      options,
      time,
      turnsEventLoop: () => instruments.turnEventLoop,
      capLeftBytes: () => Math.max(0, cap.limitBytes - cap.retainedNow()),
      retainedBytes: () => Math.max(0, cap.retainedNow()),
      start: startReading,
      firstCallStop,
      instrumentsChanged: () => instruments.switchedOff,
    })
  const finish = (outcome: EngineOutcome): LeakReport | Promise<LeakReport> => {
    const callsMade = lease.callNumber
    const durationMs = now() - lease.startedAt
    const byDescriptors = outcome.stop === 'cap' && cap.stoppedBy === 'descriptors'
    const limits: LeakLimits = {
      deadlineMs: lease.deadlineMs,
      deadlineSource,
      maxRetainedBytes: cap.limitBytes,
      stop: byDescriptors ? 'descriptors' : outcome.stop,
      msPerCall: durationMs / Math.max(1, callsMade),
      ...(outcome.stop === 'heap-limit' || (outcome.stop === 'cap' && !byDescriptors)
        ? { retainedAtStop: cap.retainedAtStop }
        : {}),
      ...(descriptorCap ? { maxDescriptors: descriptorCap.limit } : {}),
      ...(byDescriptors ? { descriptorsAtStop: descriptorCap?.countAtStop ?? 0 } : {}),
    }
    const report = buildReport(outcome, { options, instruments, mode: runner.mode, durationMs, limits })
    if (report.calls === 0 && outcome.stop === 'time') {
      // The calibration and warm-up used the time: nothing was measured, so there is no verdict to give.
      throw new LeakMeasurementError(
        'timeout',
        `leakproof: no call of fn was measured before the measurement's deadline (${lease.deadlineMs} ms): ` +
          `${callsMade} call${callsMade === 1 ? '' : 's'} of about ${Math.round(limits.msPerCall)} ms each went to ` +
          'calibration and warm-up. A call this slow leaves no time for a verdict: raise the test timeout (or ' +
          'deadlineMs), or make the call faster.',
      )
    }
    if (!report.leaked || options.diagnose === false || hooks.skipDiagnosis?.(report)) return report
    // The diagnosis's calls may leave a quarter more descriptors open (a leak the guard stopped has used its bound).
    if (descriptorCap) descriptorCap.limit = Math.floor(descriptorCap.limit * 1.25)
    const diagnosis = diagnose({ report, settings: options.diagnose, runner, cap })
    if (!isThenable(diagnosis)) {
      report.diagnosis = diagnosis
      return report
    }
    return diagnosis.then((value) => {
      report.diagnosis = value
      return report
    })
  }
  // Call 1 tells a sync fn from an async one.
  const first = calls.callOnce()
  if (isThenable(first)) {
    runner.mode = 'async'
    instruments.turnEventLoop = true
    return calls.settle(first, 1).then(() => continueWith(drive(steps(stopOf(cap.check(1))), runner), finish))
  }
  return continueWith(drive(steps(stopOf(cap.check(1))), runner), finish)
}

const stopOf = (state: CapState): CallsStop | undefined => (state === 'ok' || state === 'turn' ? undefined : state)

function continueWith<T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  return isThenable(value) ? (value as Promise<T>).then(next) : next(value as T)
}
