import type { CallDriver } from './calls.js'
import { now } from './clock.js'
import type { Instruments } from './instruments.js'
import type { MeasurementLease } from './lease.js'
import { holdOptimization } from './optimization.js'
import { type Reading, sampleAfterEventLoop, sampleSync, warmHarness } from './sample.js'
import type { Step, StepResult, Steps } from './steps.js'

/** What runs the steps of the engine or the diagnosis against fn. */
export interface StepRunner {
  calls: CallDriver
  instruments: Instruments
  lease: MeasurementLease
  gc: () => void
  settleTimersMs: number
  /** 'async' once fn returned a thenable. */
  mode: 'sync' | 'async'
}

/**
 * Drives a generator of steps synchronously while nothing needs the event loop; continues with awaits (returning a
 * promise) as soon as something does: an async fn, or sync calls that leave timers or handles behind.
 */
export function drive<R>(steps: Steps<R>, runner: StepRunner, input?: StepResult): R | Promise<R> {
  if (runner.mode === 'async' || runner.instruments.turnEventLoop) return driveAsync(steps, runner, input)
  let next = input
  for (;;) {
    if (runner.instruments.needsEventLoop(runner.calls.callNumber)) {
      // Closed handles are reported destroyed, and timers free memory, only when the event loop turns.
      runner.instruments.turnEventLoop = true
      return driveAsync(steps, runner, next)
    }
    const step = steps.next(next)
    if (step.done) return step.value
    next = runSync(step.value, runner)
    afterStep(step.value, runner)
  }
}

async function driveAsync<R>(steps: Steps<R>, runner: StepRunner, input: StepResult): Promise<R> {
  runner.instruments.turnEventLoop = true
  let next = input
  for (;;) {
    const step = steps.next(next)
    if (step.done) return step.value
    const value = step.value
    if (value.type === 'sample') {
      next = await sampleAfterEventLoop(runner.instruments, runner.gc, runner.lease, runner.settleTimersMs)
    } else if (value.type === 'calls' && runner.mode === 'async') {
      next = await runner.calls.runAsync(value.count, value.stopAt)
    } else {
      next = runSync(value, runner)
    }
    afterStep(value, runner)
  }
}

function runSync(step: Step, runner: StepRunner): StepResult {
  if (step.type === 'calls') return runner.calls.runSync(step.count, step.stopAt)
  if (step.type === 'warm-harness') {
    warmHarness(runner.instruments)
    return undefined
  }
  if (step.type === 'hold-optimization') {
    runner.lease.installed('the optimisation flags', holdOptimization())
    return undefined
  }
  if (step.type === 'gc') {
    const startedAt = now()
    runner.gc()
    return now() - startedAt
  }
  return sampleSync(runner.instruments, runner.gc) satisfies Reading
}

/** Once warm-up is over, instruments that saw nothing are switched off to keep calls fast. */
function afterStep(step: Step, runner: StepRunner): void {
  if (step.type !== 'sample') return
  runner.calls.noteReading()
  runner.instruments.stopIfQuiet()
}
