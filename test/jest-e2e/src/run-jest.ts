import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))

/** One test of Jest's `--json` output. */
export interface JestAssertion {
  fullName: string
  status: 'passed' | 'failed' | 'pending' | 'todo'
  failureMessages: string[]
  /** Wall time of the test, ms. */
  duration: number
}

export interface JestRun {
  exitCode: number | null
  stdout: string
  stderr: string
  /** Every test by full name, from `--json`. */
  tests: Map<string, JestAssertion>
  /** The reporter's JSON file, when the fixture writes one. */
  leakproofJson: unknown
  /** What the reporter appended to $GITHUB_STEP_SUMMARY. */
  stepSummary: string | undefined
}

/**
 * Runs the real Jest CLI of `jestPackageDir` (a workspace package with jest in its devDependencies) on a copy of a
 * fixture project. The copy gets `node_modules` as a link to that package's, so the fixture resolves that package's
 * Jest major, ts-jest and `@leakproof/jest`. `nodeArgs` go to the Node process that runs Jest.
 */
export async function runJest(
  jestPackageDir: string,
  fixture: string,
  args: string[],
  nodeArgs: string[] = [],
): Promise<JestRun> {
  const dir = copyFixture(jestPackageDir, fixture)
  try {
    return await runJestIn(jestPackageDir, dir, args, { nodeArgs })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A copy of a fixture project in the temp folder, `node_modules` linked to `jestPackageDir`'s. Remove it after. */
export function copyFixture(jestPackageDir: string, fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), `leakproof-jest-e2e-${fixture}-`))
  cpSync(join(FIXTURES, fixture), dir, { recursive: true })
  symlinkSync(join(jestPackageDir, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

/**
 * Runs the real Jest CLI in a fixture copy that stays (see copyFixture), with `env` on top of a clean environment:
 * the machine's own CI and leakproof variables do not reach the run.
 */
export async function runJestIn(
  jestPackageDir: string,
  dir: string,
  args: string[],
  options: { nodeArgs?: string[]; env?: Record<string, string> } = {},
): Promise<JestRun> {
  const stepSummaryPath = join(dir, 'step-summary.md')
  rmSync(stepSummaryPath, { force: true })
  const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_STEP_SUMMARY: stepSummaryPath, FORCE_COLOR: '0' }
  for (const key of Object.keys(env)) {
    if (key.startsWith('LEAKPROOF_') || (key.startsWith('GITHUB_') && key !== 'GITHUB_STEP_SUMMARY')) delete env[key]
  }
  delete env.NODE_OPTIONS
  Object.assign(env, options.env)
  const jestBin = join(jestPackageDir, 'node_modules', 'jest', 'bin', 'jest.js')
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), jestBin, '--ci', '--json', '--outputFile=jest-result.json', ...args],
    {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', resolve)
  })
  const tests = new Map<string, JestAssertion>()
  const resultPath = join(dir, 'jest-result.json')
  if (existsSync(resultPath)) {
    const result = JSON.parse(readFileSync(resultPath, 'utf8')) as {
      testResults: { assertionResults: JestAssertion[] }[]
    }
    for (const file of result.testResults) for (const test of file.assertionResults) tests.set(test.fullName, test)
    rmSync(resultPath)
  }
  const reportPath = join(dir, 'leakproof-report.json')
  return {
    exitCode,
    stdout,
    stderr,
    tests,
    leakproofJson: existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) : undefined,
    stepSummary: existsSync(stepSummaryPath) ? readFileSync(stepSummaryPath, 'utf8') : undefined,
  }
}

/** Strips colours, stack frames and every figure, so a failure message can be snapshotted. */
export function normalizeMessage(message: string): string {
  return (
    message
      // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences.
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split('\n')
      .filter((line) => !/^\s+at /.test(line))
      .join('\n')
      .replace(/v\d+\.\d+\.\d+/g, 'vX')
      // Whether a suspected leak (or noise) was re-measured varies from run to run, and with it the verdict
      // sentence (core's wording, tested there) and the list of earlier passes.
      .replace(/^(\s*)(Leak|No leak): .*$/gm, '$1$2: <verdict>')
      .replace(/^(\s*)how: .*$/gm, '$1how: <method>')
      // What the diagnosis could fit in the deadline varies with the machine's speed (test/diagnosis-e2e checks it).
      .replace(/^(\s*)diagnosis: [\s\S]*?(?=\n\n|(?![\s\S]))/m, '$1diagnosis: <diagnosis>')
      .replace(/^\s*ok\*: .*\n/gm, '')
      .replace(/\bok\* /g, 'ok ')
      .replace(/[▁▂▃▄▅▆▇█]+/g, '<sparkline>')
      .replace(/-?\d[\d,]*(\.\d+)?/g, 'N')
      .replace(/ {2,}/g, ' ')
      .replace(/ +$/gm, '')
      .trimEnd()
  )
}
