import { spawn } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { E2E_POOLS_ENV, VITEST_CLI_ENV } from '../e2e-config.ts'

const here = dirname(fileURLToPath(import.meta.url))
export const fixturesDir = resolve(here, '../fixtures')

/** The Vitest CLI the fixtures run under (the one of the package running these specs, see e2e-config.ts). */
function vitestCli(): { path: string; version: string } {
  const path = process.env[VITEST_CLI_ENV]
  if (!path) throw new Error(`${VITEST_CLI_ENV} is not set: run these specs through a config made by e2eConfig()`)
  const { version } = JSON.parse(readFileSync(join(dirname(path), 'package.json'), 'utf8')) as { version: string }
  return { path, version }
}

/** The pools the pool spec covers (all four unless the config narrows them). */
export function e2ePools(): string[] {
  return (process.env[E2E_POOLS_ENV] ?? 'forks,threads,vmThreads,vmForks').split(',')
}

export interface TestOutcome {
  fullName: string
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo'
  /** Failure messages without colour codes. */
  failureMessages: string[]
}

export interface FixtureRun {
  exitCode: number | null
  /** stdout + stderr, without colour codes. */
  output: string
  tests: Map<string, TestOutcome>
  resultsDir: string
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences
const ANSI = /\u001b\[[0-9;]*m/g
export const stripAnsi = (text: string) => text.replace(ANSI, '')

interface JsonReport {
  testResults: { assertionResults: TestOutcome[] }[]
}

/** Runs the real Vitest CLI (`vitest run`) on a fixture project and collects its exit code, output and results. */
export async function runFixture(
  name: string,
  options: { args?: string[]; env?: Record<string, string>; root?: string } = {},
): Promise<FixtureRun> {
  const root = options.root ?? join(fixturesDir, name)
  const resultsDir = join(root, '.results')
  rmSync(resultsDir, { recursive: true, force: true })
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, NO_COLOR: '1', FORCE_COLOR: '0' }
  // The outer Vitest's own variables would make the inner run think it is a worker.
  for (const key of Object.keys(env)) if (key.startsWith('VITEST')) delete env[key]
  // Nor may the machine's CI or leakproof settings leak into a fixture run: only what the spec sets.
  for (const key of Object.keys(env)) {
    if ((key.startsWith('LEAKPROOF_') || key.startsWith('GITHUB_')) && !(key in (options.env ?? {}))) delete env[key]
  }
  const cli = vitestCli()
  const child = spawn(process.execPath, [cli.path, 'run', ...(options.args ?? [])], { cwd: root, env })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exitCode = await new Promise<number | null>((done) => child.on('close', done))
  const tests = new Map<string, TestOutcome>()
  const jsonPath = join(resultsDir, 'vitest.json')
  if (existsSync(jsonPath)) {
    const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as JsonReport
    for (const file of report.testResults) {
      for (const test of file.assertionResults) {
        tests.set(test.fullName, { ...test, failureMessages: test.failureMessages.map(stripAnsi) })
      }
    }
  }
  const run = { exitCode, output: stripAnsi(output), tests, resultsDir }
  // The specs are shared by the Vitest 4.1 and 5 packages: make sure the fixture ran under the intended major.
  // (A blob-only shard prints no banner.)
  const blobOnly = options.args?.includes('--reporter=blob') === true
  if (!blobOnly && !run.output.includes(`RUN  v${cli.version} `)) {
    throw new Error(`fixture ${name} did not run under Vitest ${cli.version} (${cli.path}):\n${run.output}`)
  }
  return run
}

/** The outcome of one test, or a clear failure when the fixture did not run it. */
export function outcome(run: FixtureRun, fullName: string): TestOutcome {
  const test = run.tests.get(fullName)
  if (!test) {
    throw new Error(
      `fixture did not report "${fullName}". Reported: ${[...run.tests.keys()].join(' | ')}\n${run.output}`,
    )
  }
  return test
}

/** Asserts a test's status, showing its failure message (or the run's output) when it is not the expected one. */
export function expectStatus(run: FixtureRun, fullName: string, status: TestOutcome['status']): TestOutcome {
  const test = outcome(run, fullName)
  if (test.status !== status) {
    const detail = test.failureMessages.join('\n') || run.output
    throw new Error(`"${fullName}" ${test.status}, expected ${status}:\n${detail}`)
  }
  return test
}

/**
 * Makes a failure message stable for a snapshot. Kept: the matcher hint, the headline, the verdict and one line per
 * metric, with figures and sparklines replaced (the measured rates are real and vary a little from run to run).
 * Left out: the method lines and any diagnosis (types, sites, retainers), which core owns and tests.
 */
export function normalizeMessage(message: string): string {
  return message
    .split('\n')
    .filter((line) =>
      /^(\w*Error: |Expected |Leak: |No leak: |It would have passed: | {2}(heap|external|handles|descriptors|listeners)\s)/.test(
        line,
      ),
    )
    .map((line) =>
      line
        // A clean fn may or may not be re-measured (noise decides): the reason it passed is not part of the contract.
        .replace(/^No leak: .*$/, 'No leak: <why>.')
        .replace(/[▁▂▃▄▅▆▇█]+/g, '<sparkline>')
        .replace(/-?\d[\d,]*(\.\d+)?/g, 'N')
        .replace(/ {2,}/g, ' ')
        .trimEnd(),
    )
    .join('\n')
}
