import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each test spawns a runner whose leak measurement and diagnosis take seconds on a busy machine.
    testTimeout: 600_000,
    fileParallelism: false,
    pool: 'forks',
  },
})
