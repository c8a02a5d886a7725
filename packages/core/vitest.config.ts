import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Leak measurements block the worker for up to a few seconds each; accuracy cases repeat them.
    testTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
})
