// Checked by tsc against the built .d.ts of @leakproof/vitest (resolved through its exports map), with Vitest 4.1 here
// and with Vitest 5 by test/vitest5-types, which compiles these same files.
import type { LeakOptions } from '@leakproof/vitest'
import '@leakproof/vitest/setup'
import { expect, expectTypeOf, test } from 'vitest'

const syncFn = () => ({ id: 1 })
const asyncFn = async () => ({ id: 1 })
const promiseFn = () => Promise.resolve(1)

// A fn returning a promise gives Promise<void>; a sync one void | Promise<void> (a promise when its calls schedule timers).
expectTypeOf(expect(syncFn).not.toLeak()).toEqualTypeOf<void | Promise<void>>()
expectTypeOf(expect(syncFn).toLeak()).toEqualTypeOf<void | Promise<void>>()
expectTypeOf(expect(asyncFn).not.toLeak()).toEqualTypeOf<Promise<void>>()
expectTypeOf(expect(asyncFn).toLeak()).toEqualTypeOf<Promise<void>>()
expectTypeOf(expect(promiseFn).not.toLeak()).toEqualTypeOf<Promise<void>>()

// The received type is read from the assertion the matcher is called on, whichever expect made it.
expectTypeOf(expect.soft(asyncFn).not.toLeak()).toEqualTypeOf<Promise<void>>()
expectTypeOf(expect.soft(syncFn).not.toLeak()).toEqualTypeOf<void | Promise<void>>()
test('the test context expect', ({ expect: contextExpect }) => {
  expectTypeOf(contextExpect(asyncFn).not.toLeak()).toEqualTypeOf<Promise<void>>()
  expectTypeOf(contextExpect(syncFn).not.toLeak()).toEqualTypeOf<void | Promise<void>>()
})

// Assignment checks: an explicit return type rejects a result that does not fit.
const syncCheck = (): void | Promise<void> => expect(syncFn).not.toLeak()
const asyncCheck = (): Promise<void> => expect(asyncFn).not.toLeak()
// @ts-expect-error: the result of a sync fn may be void, not always a promise
const wrongCheck = (): Promise<void> => expect(syncFn).not.toLeak()
// @ts-expect-error: nor always void: it is a promise when the calls schedule timers
const voidCheck = (): void => expect(syncFn).not.toLeak()
// Awaiting works for every fn.
test('awaited', async () => {
  await expect(syncFn).not.toLeak()
  await expect(asyncFn).not.toLeak()
})

expectTypeOf(syncCheck).returns.toEqualTypeOf<void | Promise<void>>()
expectTypeOf(voidCheck).returns.toEqualTypeOf<void>()
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
