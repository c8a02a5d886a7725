// `setupFilesAfterEnv: ['@leakproof/jest/setup']`: registers toLeak on Jest's global `expect`.
export type { JestLeakMatchers } from './augment-jest.js'

import { installToLeak, type JestGlobalsLike } from './register.js'

const globals = globalThis as Partial<JestGlobalsLike>
if (typeof globals.expect?.extend !== 'function' || typeof globals.afterEach !== 'function' || !globals.afterAll) {
  throw new Error(
    "@leakproof/jest/setup needs Jest's global expect and afterEach: list it in setupFilesAfterEnv (not setupFiles). " +
      "With injectGlobals: false, use '@leakproof/jest/jest-globals' instead.",
  )
}
installToLeak({ expect: globals.expect, afterEach: globals.afterEach, afterAll: globals.afterAll })
