import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    setupFiles: ['@leakproof/vitest/setup'],
    // A leak check runs for a second or more (more when it re-measures a suspect): 5 s is tight on a busy CI box.
    testTimeout: 60_000,
    reporters: ['default', ['@leakproof/vitest/reporter', { outputFile: '.leakproof/leaks.json' }]],
  },
})
