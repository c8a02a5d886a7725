/** Why a measurement ended without a verdict. */
export type MeasurementErrorCode =
  /** fn threw (sync) on a call. */
  | 'threw'
  /** The promise fn returned rejected. */
  | 'rejected'
  /** A call's promise did not settle within `callTimeoutMs`, or before the deadline. */
  | 'timeout'
  /** The AbortSignal given in `signal` was aborted (a test timeout or cancel). */
  | 'aborted'
  /** fn called `process.exit()` or `process.abort()`. */
  | 'exit'
  /** fn returned a promise on some calls but not on others. */
  | 'mixed'
  /** Another measurement was running in this process. */
  | 'overlap'

/**
 * The measurement could not reach a verdict: fn threw or rejected (the message has the call number, `cause` the
 * original error), a call never settled, the measurement was aborted, fn tried to end the process, or measurements
 * overlapped.
 */
export class LeakMeasurementError extends Error {
  override name = 'LeakMeasurementError'
  readonly code: MeasurementErrorCode

  constructor(code: MeasurementErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}
