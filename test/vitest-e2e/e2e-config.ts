import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ViteUserConfig } from 'vitest/config'

/** Where the specs read which Vitest CLI to spawn on the fixtures. */
export const VITEST_CLI_ENV = 'LEAKPROOF_E2E_VITEST_CLI'
/** Where the pool spec reads which pools to cover (comma-separated; all four when unset). */
export const E2E_POOLS_ENV = 'LEAKPROOF_E2E_POOLS'

export interface E2eOptions {
  /** The config file's `import.meta.url`: the fixtures run under the Vitest installed for that package. */
  configUrl: string
  /** Which specs of test/ to run, by name (`matchers` for `test/matchers.test.ts`). Default: all. */
  specs?: string[]
  /** Which pools the pool spec covers. Default: forks, threads, vmThreads, vmForks. */
  pools?: string[]
}

/**
 * The test config of an e2e package: the specs and fixtures of this package (test/vitest-e2e), run by the package
 * whose config calls it (this one for Vitest 4.1, test/vitest5-e2e for Vitest 5), spawning that package's Vitest.
 */
export function e2eConfig(options: E2eOptions): NonNullable<ViteUserConfig['test']> {
  const vitestDir = dirname(createRequire(options.configUrl).resolve('vitest/package.json'))
  const env: Record<string, string> = { [VITEST_CLI_ENV]: join(vitestDir, 'vitest.mjs') }
  if (options.pools) env[E2E_POOLS_ENV] = options.pools.join(',')
  return {
    dir: join(dirname(fileURLToPath(import.meta.url)), 'test'),
    include: options.specs ? options.specs.map((spec) => `${spec}.test.ts`) : ['**/*.test.ts'],
    env,
    // Each test spawns a real Vitest run that measures memory; one at a time keeps the 2-core machine quiet.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  }
}
