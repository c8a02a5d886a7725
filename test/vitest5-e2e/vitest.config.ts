import { defineConfig } from 'vitest/config'
import { e2eConfig } from '../vitest-e2e/e2e-config.ts'

// The specs and fixtures of test/vitest-e2e, run under Vitest 5 (this package's): the adapter's contract, the
// external/handles/listeners leaks, the baseline and sharded runs, in two pools. The vm pools stay with the Vitest 4.1 run.
export default defineConfig({
  test: e2eConfig({
    configUrl: import.meta.url,
    specs: ['matchers', 'leak-test', 'guards', 'metrics', 'pools', 'baseline'],
    pools: ['forks', 'threads'],
  }),
})
