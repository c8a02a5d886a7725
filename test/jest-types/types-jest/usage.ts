// The global `expect` typed by @types/jest, with `toLeak` from "types": ["jest", "@leakproof/jest"].
import type { LeakOptions } from '@leakproof/jest'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const assertType = <Check extends true>(): Check | undefined => undefined

const leakySync = () => [1, 2, 3]
const leakyAsync = async () => [1, 2, 3]
const options: LeakOptions = { budget: { heap: 64, external: 0 }, batches: 10, turnEventLoop: 'auto' }

// An async fn gives a promise to await; a sync one void, or a promise when its calls schedule timers.
const syncResult = expect(leakySync).not.toLeak()
assertType<Equal<typeof syncResult, void | Promise<void>>>()
const syncPositive = expect(leakySync).toLeak(options)
assertType<Equal<typeof syncPositive, void | Promise<void>>>()
const asyncResult = expect(leakyAsync).not.toLeak(options)
assertType<Equal<typeof asyncResult, Promise<void>>>()
export async function awaited(): Promise<void> {
  await expect(leakyAsync).not.toLeak()
  await expect(() => Promise.resolve()).toLeak({ callTimeoutMs: 100 })
}

// @ts-expect-error a sync fn's result may be void: await it instead
syncResult.then

// @ts-expect-error unknown option
expect(leakySync).not.toLeak({ budgets: { heap: 1 } })

// @ts-expect-error a budget is a number of bytes or a count per call
expect(leakySync).not.toLeak({ budget: { heap: '64 B' } })

// @ts-expect-error turnEventLoop is true, false or 'auto'
expect(leakySync).not.toLeak({ turnEventLoop: 'always' })

// The other matchers are untouched.
expect(1).toBe(1)
