import LeakproofReporter, { collectLeakEntries, type LeakproofReporterOptions } from '@leakproof/vitest/reporter'
import { expectTypeOf } from 'vitest'
import { defineConfig } from 'vitest/config'
import type { Reporter } from 'vitest/node'

export default defineConfig({
  test: {
    reporters: [
      'default',
      ['@leakproof/vitest/reporter', { outputFile: 'leaks.json' }],
      new LeakproofReporter({ outputFile: 'leaks.json', githubSummary: false }),
    ],
  },
})

expectTypeOf(new LeakproofReporter()).toExtend<Reporter>()
expectTypeOf<LeakproofReporterOptions['outputFile']>().toEqualTypeOf<string | undefined>()
expectTypeOf(collectLeakEntries).returns.items.toHaveProperty('report')
// @ts-expect-error: not a reporter option
new LeakproofReporter({ output: 'leaks.json' })
