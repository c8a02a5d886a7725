// Checked by tsc against the built .d.ts of @leakproof/vitest (resolved through its exports map), with Vitest 4.1 here
// and with Vitest 5 by test/vitest5-types, which compiles these same files.
import type { LeakOptions } from '@leakproof/vitest'
import '@leakproof/vitest/setup'
import { expect, expectTypeOf, test } from 'vitest'

const syncFn = () => ({ id: 1 })
const asyncFn = async () => ({ id: 1 })
const promiseFn = () => Promise.resolve(1)

// A sync fn gives void, an async one (or any fn returning a promise) gives Promise<void>.
expectTypeOf(expect(syncFn).not.toLeak()).toEqualTypeOf<void>()
expectTypeOf(expect(syncFn).toLeak()).toEqualTypeOf<void>()
expectTypeOf(expect(asyncFn).not.toLeak()).toEqualTypeOf<Promise<void>>()
expectTypeOf(expect(asyncFn).toLeak()).toEqualTypeOf<Promise<void>>()
expectTypeOf(expect(promiseFn).not.toLeak()).toEqualTypeOf<Promise<void>>()

// The received type is read from the assertion the matcher is called on, whichever expect made it.
expectTypeOf(expect.soft(asyncFn).not.toLeak()).toEqualTypeOf<Promise<void>>()
expectTypeOf(expect.soft(syncFn).not.toLeak()).toEqualTypeOf<void>()
test('the test context expect', ({ expect: contextExpect }) => {
  expectTypeOf(contextExpect(asyncFn).not.toLeak()).toEqualTypeOf<Promise<void>>()
  expectTypeOf(contextExpect(syncFn).not.toLeak()).toEqualTypeOf<void>()
})

// Assignment checks: an explicit return type rejects a result that does not fit.
const syncCheck = (): void => expect(syncFn).not.toLeak()
const asyncCheck = (): Promise<void> => expect(asyncFn).not.toLeak()
// @ts-expect-error: the result of a sync fn is not a promise
const wrongCheck = (): Promise<void> => expect(syncFn).not.toLeak()

expectTypeOf(syncCheck).returns.toEqualTypeOf<void>()
expectTypeOf(asyncCheck).returns.toEqualTypeOf<Promise<void>>()
expectTypeOf(wrongCheck).returns.toEqualTypeOf<Promise<void>>()

// Options are core's LeakOptions.
expect(syncFn).not.toLeak({ budget: { heap: 64, external: 0 }, batches: 6, confirm: false, turnEventLoop: 'auto' })
const options: LeakOptions = { deadlineMs: 1000, maxRetainedBytes: 8 * 1024 * 1024 }
expect(syncFn).not.toLeak(options)
// @ts-expect-error: not an option
expect(syncFn).not.toLeak({ batchez: 6 })
// @ts-expect-error: wrong type
expect(syncFn).not.toLeak({ batches: '6' })
// @ts-expect-error: not a budget metric
expect(syncFn).not.toLeak({ budget: { rss: 1 } })
