import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The source entry, so the package's own tests need no build of itself.
    setupFiles: ['./src/setup.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
})
