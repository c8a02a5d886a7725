import { LeakMeasurementError } from '../errors.js'
import { describeError, isThenable } from '../util.js'
import { now, startTimer, stopTimer } from './clock.js'
import type { Instruments } from './instruments.js'
import { exitError, type MeasurementLease } from './lease.js'
import type { CapState, RetainedCap } from './retained.js'

export type MeasuredFunction = () => unknown

/** Why a run of calls ended before its count. */
export type CallsStop = 'time' | Exclude<CapState, 'ok'>

export interface CallsResult {
  callsDone: number
  elapsedMs: number
  /**
   * Set when the calls stopped early: the time given ran out, memory passed the cap or neared the heap limit, or the
   * cap asks for a reading first ('turn': the batch ends, the run goes on).
   */
  stopped?: CallsStop
  /** With `catchErrors`: fn failed on the call after `callsDone` (threw, rejected, never settled). */
  error?: string
}

/** How often a sync loop of cheap calls looks at the clock. */
const TIME_CHECK_EVERY = 64

interface PendingCall {
  callNumber: number
  startedAt: number
  reject: (error: LeakMeasurementError | DeadlineDuringCall) => void
}

/**
 * The deadline came while a call after the first was still running: the batch ends with the calls before it, and the
 * verdict rests on them (an error only for call 1, which leaves nothing to judge).
 */
class DeadlineDuringCall extends Error {}

/**
 * Calls fn, for the measurement and the diagnosis alike: one call at a time, each under the retained-memory cap and
 * (for a promise) the call timeout, the deadline and the abort signal; fn's errors, exits and never-settling promises
 * become a `LeakMeasurementError` that names the call.
 */
export class CallDriver {
  private pending: PendingCall | undefined
  private watchdog: NodeJS.Timeout | undefined
  private watchdogAt = 0
  /**
   * The diagnosis sets this: a call that throws, rejects or never settles ends the run of calls with `error` set
   * instead of throwing (the verdict stands; the diagnosis uses the calls before it). Exits and aborts still throw.
   */
  catchErrors = false

  constructor(
    readonly fn: MeasuredFunction,
    private readonly lease: MeasurementLease,
    private readonly instruments: Instruments,
    private readonly cap: RetainedCap,
    private readonly callTimeoutMs: number,
  ) {
    lease.installed('the call watchdog', () => this.disarm())
    lease.onAbort(() => this.pending?.reject(lease.abortError()))
  }

  /**
   * The harness's call loop, into which V8 inlines fn once it optimises it (a long batch is compiled on the stack,
   * OSR): the diagnosis clears their compiled code so that fn is a frame of its own in the allocation profile.
   */
  static readonly callPath: readonly unknown[] = [
    CallDriver.prototype.callOnce,
    CallDriver.prototype.runSync,
    CallDriver.prototype.runAsync,
    CallDriver.prototype.settle,
    CallDriver.prototype.runSyncCalls,
    CallDriver.prototype.runAsyncCalls,
  ]

  get callNumber(): number {
    return this.lease.callNumber
  }

  /** One call of fn: its return value (a thenable for an async fn). Throws a LeakMeasurementError when fn throws. */
  callOnce(): unknown {
    const callNumber = ++this.lease.callNumber
    const wasRecording = this.instruments.beginCall()
    let returned: unknown
    try {
      returned = this.fn()
    } catch (error) {
      if (this.lease.exitAttempt) throw exitError(this.lease.exitAttempt)
      throw callError('threw', error, callNumber)
    } finally {
      this.instruments.endCall(wasRecording)
    }
    // fn caught the error our process.exit threw (or an async fn turned it into a rejection): the exit is still what
    // happened. A promise left behind must not surface as an unhandled rejection.
    if (this.lease.exitAttempt) {
      if (isThenable(returned)) returned.then(undefined, () => {})
      throw exitError(this.lease.exitAttempt)
    }
    return returned
  }

  /** A reading ran: the cap may judge memory that waited for the event loop to turn. */
  noteReading(): void {
    this.cap.noteReading()
  }

  /** Sync calls until `count` are done, the clock reaches `stopAt` or the cap stops them. */
  runSync(count: number, stopAt: number): CallsResult {
    if (!this.catchErrors) return this.runSyncCalls(count, stopAt)
    const before = this.lease.callNumber
    try {
      return this.runSyncCalls(count, stopAt)
    } catch (error) {
      return this.caught(error, before)
    }
  }

  async runAsync(count: number, stopAt: number): Promise<CallsResult> {
    if (!this.catchErrors) return this.runAsyncCalls(count, stopAt)
    const before = this.lease.callNumber
    try {
      return await this.runAsyncCalls(count, stopAt)
    } catch (error) {
      return this.caught(error, before)
    }
  }

  private caught(error: unknown, callsBefore: number): CallsResult {
    const fatal = !(error instanceof LeakMeasurementError) || error.code === 'exit' || error.code === 'aborted'
    if (fatal) throw error
    const what = error.code === 'threw' || error.code === 'rejected' ? describeError(error.cause) : error.message
    return { callsDone: Math.max(0, this.lease.callNumber - callsBefore - 1), elapsedMs: 0, error: what }
  }

  private runSyncCalls(count: number, stopAt: number): CallsResult {
    this.instruments.startBatch()
    const startedAt = now()
    try {
      for (let done = 0; done < count; ) {
        const returned = this.callOnce()
        done++
        if (isThenable(returned)) {
          throw new LeakMeasurementError(
            'mixed',
            `leakproof: fn returned a promise on call ${this.lease.callNumber} but not on call 1. ` +
              'Make it always return a promise (an async function) or never.',
          )
        }
        const capState = this.cap.afterCall(this.lease.callNumber)
        if (capState !== 'ok') return { callsDone: done, elapsedMs: now() - startedAt, stopped: capState }
        if (done % TIME_CHECK_EVERY === 0 && done < count && now() >= stopAt) {
          return { callsDone: done, elapsedMs: now() - startedAt, stopped: 'time' }
        }
      }
      return { callsDone: count, elapsedMs: now() - startedAt }
    } finally {
      this.instruments.endBatch()
    }
  }

  /** Async calls, one after another, each awaited; otherwise as `runSync`. */
  private async runAsyncCalls(count: number, stopAt: number): Promise<CallsResult> {
    this.instruments.startBatch()
    // Resources created after an await belong to the calls too: record for the whole batch.
    const wasRecording = this.instruments.setRecording(true)
    const startedAt = now()
    try {
      for (let done = 0; done < count; ) {
        if (this.lease.aborted) throw this.lease.abortError()
        try {
          await this.settle(this.callOnce(), this.lease.callNumber)
        } catch (error) {
          if (error instanceof DeadlineDuringCall)
            return { callsDone: done, elapsedMs: now() - startedAt, stopped: 'time' }
          throw error
        }
        done++
        const capState = this.cap.afterCall(this.lease.callNumber)
        if (capState !== 'ok') return { callsDone: done, elapsedMs: now() - startedAt, stopped: capState }
        if (done < count && now() >= stopAt) return { callsDone: done, elapsedMs: now() - startedAt, stopped: 'time' }
      }
      return { callsDone: count, elapsedMs: now() - startedAt }
    } finally {
      this.instruments.endBatch()
      this.instruments.setRecording(wasRecording)
      this.disarm()
    }
  }

  /**
   * Waits for one call's result under the call timeout, the deadline and the abort signal. A bare thenable or a
   * promise that never settles ends here with an error naming the call, and the watchdog timer (not unref'd) keeps
   * the process alive until then: without it Node would exit with code 13 and no message.
   */
  settle(value: unknown, callNumber: number): Promise<void> {
    if (!isThenable(value)) return Promise.resolve()
    if (this.lease.aborted) return Promise.reject(this.lease.abortError())
    return new Promise<void>((resolve, reject) => {
      const call: PendingCall = { callNumber, startedAt: now(), reject }
      this.pending = call
      this.arm(call)
      const done = () => {
        if (this.pending === call) this.pending = undefined
      }
      Promise.resolve(value).then(
        () => {
          done()
          resolve()
        },
        (error: unknown) => {
          done()
          reject(this.lease.exitAttempt ? exitError(this.lease.exitAttempt) : callError('rejected', error, callNumber))
        },
      )
    })
  }

  /** One timer for many calls: armed for the pending call's timeout (or the deadline), re-armed when it fires early. */
  private arm(call: PendingCall): void {
    const at = Math.min(call.startedAt + this.callTimeoutMs, this.lease.endsAt)
    if (this.watchdog !== undefined && this.watchdogAt <= at) return
    this.disarm()
    this.watchdogAt = at
    // The harness's own timer: not one of the calls' handles.
    this.watchdog = this.instruments.unrecorded(() => startTimer(() => this.onWatchdog(), Math.max(1, at - now())))
  }

  private onWatchdog(): void {
    this.watchdog = undefined
    const call = this.pending
    if (!call) return
    const at = now()
    if (at - call.startedAt >= this.callTimeoutMs - 1) {
      call.reject(
        new LeakMeasurementError(
          'timeout',
          `leakproof: call ${call.callNumber} of fn did not settle within ${this.callTimeoutMs} ms (callTimeoutMs). ` +
            'Make sure the promise it returns resolves or rejects, or raise callTimeoutMs.',
        ),
      )
    } else if (at >= this.lease.endsAt - 1 && call.callNumber > 1) {
      call.reject(new DeadlineDuringCall())
    } else if (at >= this.lease.endsAt - 1) {
      call.reject(
        new LeakMeasurementError(
          'timeout',
          `leakproof: call ${call.callNumber} of fn had not settled after ${Math.round(at - call.startedAt)} ms when ` +
            `the measurement's deadline (${this.lease.deadlineMs} ms) was reached. A call this slow leaves no time ` +
            'for a verdict: raise the test timeout (or deadlineMs), or make the call faster.',
        ),
      )
    } else {
      this.arm(call)
    }
  }

  private disarm(): void {
    stopTimer(this.watchdog)
    this.watchdog = undefined
  }
}

export function callError(kind: 'threw' | 'rejected', error: unknown, callNumber: number): LeakMeasurementError {
  return new LeakMeasurementError(
    kind,
    `leakproof: fn ${kind} on call ${callNumber}, so no verdict was reached. ${describeError(error)}`,
    { cause: error },
  )
}
