import type { LeakOptions, LeakReport } from '@leakproof/core'

/**
 * What `toLeak` returns for a received value of type `T`: `Promise<void>` when `T` is a function returning a
 * promise (the measurement awaits each call), `void` otherwise.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: `void` is what a sync matcher returns in Vitest's own types
export type ToLeakResult<T> = T extends (...args: never[]) => PromiseLike<unknown> ? Promise<void> : void

/**
 * The matcher, generic in its return type so every runner's `Matchers` interface can extend it
 * (Vitest 4: `Matchers<T>`; Vitest 5 and Jest: `Matchers<R, T>`).
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

declare module 'vitest' {
  // The type parameter must be named and defaulted exactly as in Vitest 4.1, or the declarations do not merge.
  // biome-ignore lint/suspicious/noExplicitAny: must match Vitest's own declaration
  interface Matchers<T = any> extends LeakMatchers<ToLeakResult<T>> {}
}

// TaskMeta must be augmented where it is declared: augmenting it through 'vitest' (which re-exports it) compiles
// but adds nothing (checked with tsc 5.9 and Vitest 4.1.12). Hence the peer dependency on @vitest/runner.
declare module '@vitest/runner' {
  interface TaskMeta extends LeakTaskMeta {}
}
