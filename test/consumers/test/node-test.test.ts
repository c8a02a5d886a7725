import { afterAll, beforeAll, inject, test } from 'vitest'
import { checkVerdicts, createProject, type Project } from '../src/consumer.js'

// node:test with @leakproof/core: JavaScript (ESM) type-checked by tsc with checkJs and nodenext resolution.
const reporter = new URL('../src/node-test-reporter.mjs', import.meta.url).href
let project: Project

beforeAll(async () => {
  project = await createProject({
    name: 'node-test',
    fixtures: ['node-test'],
    type: 'module',
    devDependencies: { '@types/node': '^20.19.0', typescript: '~5.9.3' },
    install: 'core',
    tarballs: inject('tarballs'),
  })
})

afterAll(() => project?.remove())

test('tsc --noEmit, nodenext resolution (checkJs)', async () => {
  await project.typeCheck('.')
})

test('node --test: the leaks throw LeakError, the clean functions pass', async () => {
  const run = await project.runTests(
    [
      '--test',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      `--test-reporter=${reporter}`,
      '--test-reporter-destination=results.json',
    ],
    { resultsFile: 'results.json' },
  )
  checkVerdicts(run, { leakMessage: 'LeakError: fn leaks:' })
})
