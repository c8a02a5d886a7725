// Types for `import { expect } from '@jest/globals'`: its matchers come from the `expect` package.
import type { Matchers } from 'expect'
import type { LeakMatchers } from './matchers.js'

declare module 'expect' {
  interface Matchers<R extends void | Promise<void>, T = unknown> extends LeakMatchers<R, T> {}
}

/** `toLeak` as merged into the `expect` package's `Matchers`. Exported so entries keep this file's augmentation. */
export type ExpectLeakMatchers<R extends void | Promise<void>, T> = Matchers<R, T>
