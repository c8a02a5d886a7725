import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { checkVerdicts, createProject, type Project, RUNNER_DEFAULT_TIMEOUT_MS } from '../src/consumer.js'

// Vitest, ESM, TypeScript with bundler resolution (a Vite project's tsconfig). node10 is checked too: it ignores
// `exports`, so the setup file's import resolves only through the package's root stubs. The suite's program imports
// nothing from leakproof but the setup entry; entry-points/ (the root entry carries the same types) is its own.
// Vitest 5 needs Node >= 22.12: scripts/test-matrix.mjs runs it on Node 22 and 24 (`pnpm run test:vitest5`).
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
const nodeRunsVitest5 = major > 22 || (major === 22 && minor >= 12)

/** `typesNode`: the @types/node range the Vitest major accepts (Vitest 5's peer range starts at 22). */
function vitestProject(version: string, typesNode: string): void {
  let project: Project

  beforeAll(async () => {
    project = await createProject({
      name: `vitest-${version}`,
      fixtures: ['vitest'],
      suites: { '.': "import { expect, test } from 'vitest'" },
      type: 'module',
      devDependencies: { '@types/node': typesNode, typescript: '~5.9.3', vitest: version },
      install: 'vitest',
      tarballs: inject('tarballs'),
    })
  })

  afterAll(() => project?.remove())

  test.for([
    ['bundler', []],
    ['node10', ['--moduleResolution', 'node10']],
  ] as const)('tsc --noEmit, %s resolution: the suite, then every entry point', async ([, args]) => {
    await project.typeCheck('.', [...args])
    await project.typeCheck('entry-points', [...args])
  })

  test('vitest run: the leaks fail with "Expected fn not to leak", the clean functions pass', async () => {
    const run = await project.runTests(
      [
        project.bin('vitest/vitest.mjs'),
        'run',
        '--reporter=default',
        '--reporter=json',
        '--outputFile.json=results.json',
      ],
      { resultsFile: 'results.json' },
    )
    checkVerdicts(run, { leakMessage: 'Expected fn not to leak', timeoutMs: RUNNER_DEFAULT_TIMEOUT_MS })
  })

  test('the known-leaks baseline and the leakproof command, as installed', async () => {
    const vitest = (env: Record<string, string>) =>
      project.runTests(
        [
          project.bin('vitest/vitest.mjs'),
          'run',
          '--reporter=default',
          '--reporter=json',
          '--outputFile.json=results.json',
          '--reporter=@leakproof/vitest/reporter',
        ],
        { resultsFile: 'results.json', env },
      )
    const update = await vitest({ LEAKPROOF_UPDATE: '1' })
    expect(update.exitCode, update.output).toBe(0)
    expect(update.output).toContain('leakproof-baseline.json updated (LEAKPROOF_UPDATE=1): 2 added')
    const known = await vitest({})
    expect(known.exitCode, known.output).toBe(0)
    expect(known.output).toMatch(/5 leak assertions, 2 leaking \(2 known\)/)
    const help = await project.leakproof(['--help'])
    expect(help.exitCode, help.output).toBe(0)
    expect(help.output).toMatch(/^ {2}merge FILE\.\.\. --out FILE /m)
  })
}

describe('Vitest 4.1.12', () => vitestProject('4.1.12', '^20.19.0'))
describe.skipIf(!nodeRunsVitest5)('Vitest 5.1.1', () => vitestProject('5.1.1', '^22.0.0'))
