import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { checkVerdicts, createProject, type Project, RUNNER_DEFAULT_TIMEOUT_MS } from '../src/consumer.js'

// Jest 30 with ts-jest: CommonJS, and the tsconfig ts-jest users commonly have (node10 resolution, which ignores
// `exports`, and `"types": ["jest", "node"]`). One folder per way of writing tests: the global `expect`, and
// `import { expect } from '@jest/globals'` (`"types": ["node"]`). node16 resolution (CommonJS) is checked too. The
// suite's program imports nothing from leakproof but the setup entry; entry-points/ is its own program.
const STYLES: Record<string, string> = {
  global: '',
  'jest-globals': "import { expect, test } from '@jest/globals'",
}
let project: Project

beforeAll(async () => {
  project = await createProject({
    name: 'jest-30',
    fixtures: ['jest', 'jest30'],
    suites: STYLES,
    devDependencies: {
      '@jest/globals': '30.5.2',
      '@types/jest': '30.0.0',
      '@types/node': '^20.19.0',
      jest: '30.5.2',
      'ts-jest': '29.4.15',
      typescript: '~5.9.3',
    },
    install: 'jest',
    tarballs: inject('tarballs'),
  })
})

afterAll(() => project?.remove())

describe.for(Object.keys(STYLES))('%s', (style) => {
  test.for([
    ['node10', []],
    ['node16', ['--module', 'node16', '--moduleResolution', 'node16']],
  ] as const)('tsc --noEmit, %s resolution: the suite, then every entry point', async ([, args]) => {
    await project.typeCheck(style, [...args])
    await project.typeCheck(`${style}/entry-points`, [...args])
  })

  test('jest: the leaks fail with "Expected fn not to leak", the clean functions pass', async () => {
    const run = await project.runTests(
      [project.bin('jest/bin/jest.js'), '--ci', '--json', '--outputFile=results.json'],
      {
        cwd: style,
        resultsFile: 'results.json',
      },
    )
    checkVerdicts(run, { leakMessage: 'Expected fn not to leak', timeoutMs: RUNNER_DEFAULT_TIMEOUT_MS })
  })
})

test('npx leakproof runs the command @leakproof/jest installed', async () => {
  const usage = await project.leakproof(['summary', 'missing.json'])
  expect(usage.exitCode, usage.output).toBe(2)
  expect(usage.output).toContain('missing.json: no such file')
})
