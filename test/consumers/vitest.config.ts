import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['src/pack.ts'],
    // Each spec installs a project with npm and runs a real runner on it, whose leak tests measure memory: one at a
    // time, with room for a cold npm cache.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    pool: 'forks',
  },
})
