import { afterAll, beforeAll, describe, inject, test } from 'vitest'
import { checkVerdicts, createProject, type Project, RUNNER_DEFAULT_TIMEOUT_MS } from '../src/consumer.js'

// Jest 29 with babel-jest (Babel strips the types; tsc checks them): CommonJS, the same tsconfig as the Jest 30
// project (node10 resolution), one folder per way of writing tests (global `expect`, `@jest/globals`).
const STYLES: Record<string, string> = {
  global: '',
  'jest-globals': "import { expect, test } from '@jest/globals'",
}
let project: Project

beforeAll(async () => {
  project = await createProject({
    name: 'jest-29',
    fixtures: ['jest', 'jest29'],
    suites: STYLES,
    devDependencies: {
      '@babel/core': '7.29.16',
      '@babel/preset-env': '7.29.14',
      '@babel/preset-typescript': '7.29.16',
      '@jest/globals': '29.7.0',
      '@types/jest': '29.5.14',
      '@types/node': '^20.19.0',
      'babel-jest': '29.7.0',
      jest: '29.7.0',
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
