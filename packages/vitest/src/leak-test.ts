import type { LeakOptions } from '@leakproof/core'
import { type TestContext, TestRunner } from 'vitest'
import { registerToLeak } from './matcher.js'

/** `leakTest` options: the leak options, plus the test's timeout. */
export interface LeakTestOptions extends LeakOptions {
  /**
   * Test timeout in milliseconds. Default: Vitest's `testTimeout` (5 s unless configured). The measurement's deadline
   * comes from it: a longer timeout gives a slow function more calls, so a smaller leak can be seen.
   */
  timeout?: number
}

/** `leakTest(name, fn, options?)`: a test whose body is `expect(fn).not.toLeak(options)`. */
export interface LeakTestFunction {
  (name: string, fn: () => unknown, options?: LeakTestOptions): void
  only: LeakTestFunction
  skip: LeakTestFunction
  todo: (name: string) => void
  skipIf: (condition: unknown) => LeakTestFunction
  runIf: (condition: unknown) => LeakTestFunction
}

function checkLeak(context: TestContext, fn: () => unknown, options: LeakOptions | undefined): void | Promise<void> {
  // Works without the setup file too: registering twice is harmless.
  registerToLeak(context.expect)
  return context.expect(fn).not.toLeak(options)
}

/**
 * A test that checks that `fn` does not leak, reported like any other test (with the report on `task.meta`):
 *
 *     leakTest('parse does not leak', () => parse(input))
 */
export const leakTest = TestRunner.createTaskCollector(function collectLeakTest(
  this: Record<string, unknown>,
  name: string,
  fn?: unknown,
  options?: unknown,
) {
  const { timeout, ...leakOptions } = (options ?? {}) as LeakTestOptions
  const measured = fn as (() => unknown) | undefined
  TestRunner.getCurrentSuite().task(name, {
    ...this,
    ...(timeout === undefined ? {} : { timeout }),
    handler: measured
      ? (context: TestContext) => checkLeak(context, measured, options === undefined ? undefined : leakOptions)
      : undefined,
  })
}) as unknown as LeakTestFunction
