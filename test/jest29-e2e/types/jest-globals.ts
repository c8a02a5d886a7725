// Jest 29: `import { expect } from '@jest/globals'` (expect 29's types), with `toLeak` from
// "types": ["@leakproof/jest/jest-globals"]; no @types/jest.
import { expect } from '@jest/globals'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const assertType = <Check extends true>(): Check | undefined => undefined

const leakySync = () => [1, 2, 3]
const leakyAsync = async () => [1, 2, 3]
const options = { budget: { heap: 64 }, callsPerBatch: 1000 }

const syncResult = expect(leakySync).not.toLeak()
assertType<Equal<typeof syncResult, void | Promise<void>>>()
const syncPositive = expect(leakySync).toLeak(options)
assertType<Equal<typeof syncPositive, void | Promise<void>>>()
const asyncResult = expect(leakyAsync).not.toLeak(options)
assertType<Equal<typeof asyncResult, Promise<void>>>()
const asyncPositive = expect(leakyAsync).toLeak()
assertType<Equal<typeof asyncPositive, Promise<void>>>()

// @ts-expect-error a sync fn's result may be void: await it instead
syncResult.then

// @ts-expect-error unknown option
expect(leakySync).not.toLeak({ budgets: { heap: 1 } })

// @ts-expect-error a budget is a number of bytes or a count per call
expect(leakySync).not.toLeak({ budget: { heap: '64 B' } })

expect(1).toBe(1)
