/**
 * The clock and timers the engine uses, taken when this module loads. Fake timers installed later by a test
 * (`vi.useFakeTimers()`, `jest.useFakeTimers()`) replace the globals, not these, so a deadline, a call timeout or a
 * turn of the event loop still happens in real time.
 */
const boundNow = performance.now.bind(performance)
const realSetTimeout = globalThis.setTimeout
const realClearTimeout = globalThis.clearTimeout
const realSetImmediate = globalThis.setImmediate

/** Milliseconds since an arbitrary origin (performance.now, as it was when leakproof loaded). */
export const now = (): number => boundNow()

export function startTimer(callback: () => void, ms: number): NodeJS.Timeout {
  return realSetTimeout(callback, ms)
}

export function stopTimer(timer: NodeJS.Timeout | undefined): void {
  if (timer !== undefined) realClearTimeout(timer)
}

/** Resolves on the next macrotask (after I/O callbacks and pending immediates). */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve))
}

/** Resolves after `ms` milliseconds (timers phase: due timers of the calls have run by then). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms))
}
