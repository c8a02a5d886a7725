// `setupFilesAfterEnv: ['@leakproof/jest/jest-globals']`: registers toLeak on the `expect` of '@jest/globals'.
export type { ExpectLeakMatchers } from './augment-expect.js'

import { afterAll, afterEach, expect } from '@jest/globals'
import { installToLeak } from './register.js'

installToLeak({ expect, afterEach, afterAll })
