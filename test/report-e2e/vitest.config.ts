import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Three real measurements (a few seconds each on a busy machine), then a browser start.
    testTimeout: 120_000,
    pool: 'forks',
  },
})
