import { type LeakTestOptions, leakTest } from '@leakproof/vitest'
import { expectTypeOf } from 'vitest'

leakTest('sync', () => ({ id: 1 }))
leakTest('async', async () => ({ id: 1 }), { budget: { heap: 8 }, timeout: 30_000 })
leakTest.skip('skipped', () => 1)
leakTest.only('only', () => 1)
leakTest.todo('later')
expectTypeOf<LeakTestOptions['timeout']>().toEqualTypeOf<number | undefined>()
// @ts-expect-error: not an option
leakTest('bad option', () => 1, { batchez: 6 })
// @ts-expect-error: fn is called with no arguments
leakTest('takes an argument', (value: number) => value)
