import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    setupFiles: ['@leakproof/vitest/setup'],
    // The leakproof reporter reads the known-leaks baseline (leakproof-baseline.json, next to this file), and at the
    // end of the run, or of `vitest run --merge-reports`, prints the table, writes leaks.json, annotates failures and
    // fills the job summary on GitHub Actions.
    reporters: ['default', ['@leakproof/vitest/reporter', { outputFile: '.leakproof/leaks.json' }]],
  },
})
