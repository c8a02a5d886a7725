// Setup entry: add `'@leakproof/vitest/setup'` to `test.setupFiles`, then `expect(fn).not.toLeak()` works in every test.
import { expect } from 'vitest'
import { registerToLeak } from './matcher.js'

export type { LeakMatchers, LeakTaskMeta, ToLeakResult } from './types.js'

registerToLeak(expect)
