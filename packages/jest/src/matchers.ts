import type { LeakOptions } from '@leakproof/core'

/**
 * What `toLeak` returns: a promise for an async `fn` (one that returns a thenable), `R` otherwise (`void` for a
 * plain `expect(fn)`, `Promise<void>` after `.resolves` / `.rejects`).
 *
 * A sync `fn` whose calls schedule timers also gets a promise at run time (the harness lets the timers run
 * between batches); the set-up file fails the test with a message if that promise is not awaited.
 */
export type LeakMatcherResult<R, T> = T extends (...args: never[]) => PromiseLike<unknown> ? Promise<void> : R

/** The `toLeak` matcher, merged into Jest's `Matchers` interfaces by the type declarations of this package. */
export interface LeakMatchers<R, T> {
  /**
   * Calls `fn` many times under forced full GC and passes when the memory it leaves behind grows faster than the
   * budget. Use it negated: `expect(fn).not.toLeak()`. `await` it when `fn` is async.
   */
  toLeak(options?: LeakOptions): LeakMatcherResult<R, T>
}
