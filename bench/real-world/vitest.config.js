import { join } from 'node:path'
import { defineConfig } from 'vitest/config'

// Default pool, workers and timeouts. run.mjs names an output folder: Vitest's JSON results and leakproof's go there.
const out = process.env.LEAKPROOF_REAL_WORLD_OUT
export default defineConfig({
  test: {
    include: ['vitest/**/*.test.js'],
    setupFiles: ['@leakproof/vitest/setup'],
    reporters: [
      'default',
      ...(out ? [['json', { outputFile: join(out, 'results.json') }]] : []),
      ['@leakproof/vitest/reporter', { outputFile: out ? join(out, 'leaks.json') : '.leakproof/leaks.json' }],
    ],
  },
})
