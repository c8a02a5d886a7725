import type { LeakOptions, LeakReport } from '@leakproof/core'
import type { expect } from 'vitest'

/**
 * What `toLeak` returns for a received value of type `T`: `Promise<void>` when `T` is a function returning a
 * promise (the measurement awaits each call); `void | Promise<void>` otherwise: a sync function is measured
 * synchronously unless its calls schedule timers or immediates, which must run before memory can be judged (the
 * measurement then lets the event loop turn and returns a promise). `await` is always right; the set-up file fails a
 * test that left such a promise unawaited, saying so.
 */
export type ToLeakResult<T> = T extends (...args: never[]) => PromiseLike<unknown>
  ? Promise<void>
  : void | Promise<void>

/**
 * The matcher, generic in its return type so every runner's `Matchers` interface can extend it
 * (Jest: `Matchers<R, T>`; Vitest gets its own declaration below).
 */
export interface LeakMatchers<R> {
  /**
   * Calls the received function many times under forced full GC and fails when memory it retains grows past the
   * budget: `expect(fn).not.toLeak()`. Await it when fn is async (the return type says so).
   */
  toLeak(options?: LeakOptions): R
}

/** What leakproof stores on a test's `task.meta`: one report per leak assertion, in order. */
export interface LeakTaskMeta {
  leakproof?: LeakReport[]
}

/**
 * The received type `T` of a Vitest assertion (`expect(value)` → `T` = the type of `value`), for Vitest 4.1 and 5.
 *
 * Vitest 4.1 declares `Assertion<T>` and `Matchers<T = any>`; Vitest 5 `Assertion<R, T>` and `Matchers<R, T>`.
 * TypeScript merges a declaration of an interface only when its type parameters have the same names position by
 * position, so no `Matchers<…>` declaration with a type parameter is legal on both. `expect.soft` has the same shape
 * on both (`<T>(actual: T) => Assertion<…T…>`): matching an assertion type against its instantiation infers `T`
 * whatever the arity of `Assertion`.
 */
type ReceivedOf<A> = ((actual: unknown, message?: string) => A) extends typeof expect.soft<infer T> ? T : unknown

declare module 'vitest' {
  // No type parameter (legal on 4.1 and 5, see ReceivedOf): the received type comes from `this`, the assertion the
  // matcher is called on.
  interface Matchers {
    /**
     * Calls the received function many times under forced full GC and fails when memory it retains grows past the
     * budget: `await expect(fn).not.toLeak()`. A promise when fn returns one, or when its calls schedule timers.
     */
    toLeak(options?: LeakOptions): ToLeakResult<ReceivedOf<this>>
  }

  // Through 'vitest', which re-exports TaskMeta on 4.1 (from @vitest/runner) and declares it on 5.
  interface TaskMeta extends LeakTaskMeta {}
}
