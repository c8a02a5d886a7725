import type { LeakOptions } from '@leakproof/core'

/**
 * What `toLeak` returns: a promise for an async `fn` (one that returns a thenable); otherwise `R` (`void` for a
 * plain `expect(fn)`, `Promise<void>` after `.resolves` / `.rejects`) or a promise: a sync `fn` whose calls schedule
 * timers or immediates is measured with the event loop turning between batches, which returns a promise. `await` is
 * always right; the set-up file fails a test that left such a promise unawaited, saying so.
 */
export type LeakMatcherResult<R, T> = T extends (...args: never[]) => PromiseLike<unknown>
  ? Promise<void>
  : R | Promise<void>

/** The `toLeak` matcher, merged into Jest's `Matchers` interfaces by the type declarations of this package. */
export interface LeakMatchers<R, T> {
  /**
   * Calls `fn` many times under forced full GC and passes when the memory it leaves behind grows faster than the
   * budget. Use it negated and awaited: `await expect(fn).not.toLeak()`.
   */
  toLeak(options?: LeakOptions): LeakMatcherResult<R, T>
}
