// Types only. Importing this module (or listing it in tsconfig "types") adds `toLeak` to both Jest typings:
// the global `expect` of @types/jest and the `expect` of '@jest/globals'.
export type { LeakBudget, LeakOptions, LeakReport } from '@leakproof/core'
export type { ExpectLeakMatchers } from './augment-expect.js'
export type { JestLeakMatchers } from './augment-jest.js'
export type { LeakMatcherResult, LeakMatchers } from './matchers.js'
export type { LeakproofReporterOptions } from './reporter.js'
