import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    setupFiles: ['@leakproof/vitest/setup'],
    // Vitest's default 5 s test timeout: a leak check fits it, its deadline derived from the test's timeout.
    reporters: ['default', ['@leakproof/vitest/reporter', { outputFile: '.leakproof/leaks.json' }]],
  },
})
