import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Memory passes block the worker for up to a second each and force full GCs.
    testTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
})
