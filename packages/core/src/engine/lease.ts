import { LeakMeasurementError } from '../errors.js'
import { describeValue } from '../util.js'
import { now } from './clock.js'

/**
 * The process-wide guard of a measurement, which owns everything a measurement changes in the process: the "a
 * measurement is running" mark, the deadline, the abort signal, `process.exit` / `process.abort` and whatever the
 * instruments install (async hooks, wrapped prototypes). `release()` undoes all of it on every exit path, each undo
 * on its own so one failing does not keep the others from running, and a second call does nothing.
 */
const ACTIVE = Symbol.for('leakproof.measurement-active')

interface ActiveMark {
  startedAt: number
}
type ProcessWithMark = NodeJS.Process & { [ACTIVE]?: ActiveMark }

/** fn called process.exit / process.abort while the measurement ran. */
export interface ExitAttempt {
  what: 'process.exit' | 'process.abort'
  code: unknown
  callNumber: number
}

export interface LeaseOptions {
  /** Hard limit for the whole verdict, ms from now. */
  deadlineMs: number
  signal: AbortSignal | undefined
}

export class MeasurementLease {
  readonly startedAt = now()
  readonly endsAt: number
  /** Set by the call driver: the call running now, for messages about exits. */
  callNumber = 0
  exitAttempt: ExitAttempt | undefined
  private readonly undo: Array<{ what: string; restore: () => void }> = []
  private released = false
  private abortReason: { reason: unknown } | undefined
  private readonly abortListeners = new Set<(reason: unknown) => void>()

  constructor(
    readonly deadlineMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.endsAt = this.startedAt + deadlineMs
  }

  /** Milliseconds left until the deadline (negative once it passed). */
  remainingMs(at = now()): number {
    return this.endsAt - at
  }

  elapsedMs(at = now()): number {
    return at - this.startedAt
  }

  get aborted(): boolean {
    return this.abortReason !== undefined || this.signal?.aborted === true
  }

  /** The error that ends a measurement whose signal was aborted. */
  abortError(): LeakMeasurementError {
    const reason = this.abortReason?.reason ?? this.signal?.reason
    const why =
      reason instanceof Error ? reason.message : reason === undefined ? 'no reason given' : describeValue(reason)
    return new LeakMeasurementError(
      'aborted',
      `leakproof: the measurement was aborted after ${Math.round(this.elapsedMs())} ms (call ${this.callNumber}): ${why}`,
      { cause: reason },
    )
  }

  /** Calls `listener` once when the signal aborts; returns the function that stops listening. */
  onAbort(listener: (reason: unknown) => void): () => void {
    this.abortListeners.add(listener)
    return () => this.abortListeners.delete(listener)
  }

  /** Registers what to undo at release (undone in reverse order). */
  installed(what: string, restore: () => void): void {
    this.undo.push({ what, restore })
  }

  /** Undoes everything the measurement installed. Safe to call twice. Returns what failed to undo. */
  release(): string[] {
    if (this.released) return []
    this.released = true
    const failures: string[] = []
    for (const { what, restore } of this.undo.reverse()) {
      try {
        restore()
      } catch (error) {
        failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    this.undo.length = 0
    this.abortListeners.clear()
    return failures
  }

  /** @internal The signal fired: remember why and tell the waiting call. */
  notifyAbort(reason: unknown): void {
    if (this.abortReason) return
    this.abortReason = { reason }
    for (const listener of [...this.abortListeners]) listener(reason)
  }
}

/** True while a measurement (or its diagnosis) runs in this process, in any copy of leakproof. */
export function measurementRunning(): boolean {
  return (process as ProcessWithMark)[ACTIVE] !== undefined
}

/**
 * Starts a measurement: marks the process, listens to the signal, intercepts process.exit and process.abort.
 * Throws when another measurement runs (a leak assertion in concurrent tests, or inside the measured function).
 */
export function acquireLease(options: LeaseOptions): MeasurementLease {
  const proc = process as ProcessWithMark
  if (proc[ACTIVE] !== undefined) {
    throw new LeakMeasurementError(
      'overlap',
      'leakproof: a leak measurement is already running in this process. Measurements cannot overlap: await the ' +
        'previous one, do not run leak assertions in concurrent tests, and do not measure inside a measured function.',
    )
  }
  const lease = new MeasurementLease(options.deadlineMs, options.signal)
  proc[ACTIVE] = { startedAt: lease.startedAt }
  lease.installed('the measurement mark', () => {
    delete proc[ACTIVE]
  })
  const { signal } = options
  if (signal) {
    const onAbort = () => lease.notifyAbort(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    lease.installed('the abort listener', () => signal.removeEventListener('abort', onAbort))
  }
  interceptExit(lease)
  return lease
}

/**
 * Replaces process.exit and process.abort for the measurement's duration: a call from fn throws instead of ending
 * the process (a script using assertNoLeak would otherwise "pass" with exit code 0), and the measurement reports it.
 */
function interceptExit(lease: MeasurementLease): void {
  for (const what of ['exit', 'abort'] as const) {
    const descriptor = Object.getOwnPropertyDescriptor(process, what)
    const replacement = function leakproofInterceptedExit(code?: unknown): never {
      lease.exitAttempt ??= { what: `process.${what}`, code, callNumber: lease.callNumber }
      throw exitError(lease.exitAttempt)
    }
    Object.defineProperty(process, what, {
      value: replacement,
      writable: true,
      configurable: true,
      enumerable: descriptor?.enumerable ?? true,
    })
    lease.installed(`process.${what}`, () => {
      // Restore only our own replacement: code that replaced it again after us keeps its version.
      if (process[what] !== replacement) return
      if (descriptor) Object.defineProperty(process, what, descriptor)
      else delete (process as unknown as Record<string, unknown>)[what]
    })
  }
}

export function exitError(attempt: ExitAttempt): LeakMeasurementError {
  const code = attempt.code
  const argument = code === undefined ? '' : typeof code === 'number' ? String(code) : describeValue(code)
  const call = `${attempt.what}(${attempt.what === 'process.exit' ? argument : ''})`
  return new LeakMeasurementError(
    'exit',
    `leakproof: fn called ${call} on call ${attempt.callNumber}, so no verdict was reached. leakproof blocks it ` +
      'while it measures (the process would have ended with no report); make fn return or throw instead.',
  )
}
