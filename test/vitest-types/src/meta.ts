import type { LeakReport } from '@leakproof/vitest'
import { expectTypeOf, test } from 'vitest'

// Reports are typed on task.meta.
test('meta', ({ task }) => {
  expectTypeOf(task.meta.leakproof).toEqualTypeOf<LeakReport[] | undefined>()
})
