// Types for the global `expect` of Jest, as declared by `@types/jest`.
import type { LeakMatchers } from './matchers.js'

declare global {
  namespace jest {
    // biome-ignore lint/complexity/noBannedTypes: the default must match the one in @types/jest.
    interface Matchers<R, T = {}> extends LeakMatchers<R, T> {}
  }
}

/** `toLeak` as merged into `jest.Matchers` (@types/jest). Exported so entries keep this file's augmentation. */
export type JestLeakMatchers<R, T> = jest.Matchers<R, T>
