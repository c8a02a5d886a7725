/**
 * The consumer lane: a fresh project under os.tmpdir() (outside the workspace, so nothing resolves through its links)
 * gets the fixture's config files and the shared suite, npm installs the project's own devDependencies and the packed
 * leakproof package the way the README says (`npm install -D <the tarball>`), then tsc and the real runner run in it.
 * Outcomes come from the runner's JSON output (Jest's shape, which Vitest's json reporter and ./node-test-reporter.mjs
 * also write). The tarballs come from ./pack.ts.
 */
import { spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const workspaceRoot = fileURLToPath(new URL('../../../', import.meta.url))
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url))

export type LeakproofPackage = 'core' | 'vitest' | 'jest'
export type Tarballs = Record<LeakproofPackage, string>

declare module 'vitest' {
  export interface ProvidedContext {
    tarballs: Tarballs
  }
}

/** The suite every runner's project gets (fixtures/suite), by test name, with the verdict the contract demands. */
export const SUITE: Record<string, 'leak' | 'clean'> = {
  'leaks: sync, an object per call kept in a module-level array': 'leak',
  'leaks: async, an object per call kept after an await': 'leak',
  'clean: sync, a JSON round trip': 'clean',
  'clean: async, an awaited JSON round trip': 'clean',
  'clean: a bounded cache of 100 entries': 'clean',
}

/** Vitest's and Jest's default test timeout, which the suite runs on. */
export const RUNNER_DEFAULT_TIMEOUT_MS = 5_000

/**
 * How long a runner may take on the suite before the lane kills it: a measurement that blocks the event loop escapes
 * the runner's own timeout.
 */
const RUN_DEADLINE_MS = 120_000

/** The first line of fixtures/suite/leak.test.ts, which each project replaces with its runner's import (or none). */
const SUITE_IMPORT = "import { expect, test } from 'vitest'\n"

export interface ProjectSpec {
  /** Names the temporary folder. */
  name: string
  /** Folders of fixtures/ copied in, in order: the user's config files (tsconfig, runner config, setup file). */
  fixtures: string[]
  /** Where the shared suite goes (folders of the project), and the import line its test file starts with there. */
  suites?: Record<string, string>
  /** package.json `type`. */
  type?: 'module'
  /** What the project has before leakproof: registry packages, versions pinned like the workspace's. */
  devDependencies: Record<string, string>
  /** The package of the README's install line, `npm install -D @leakproof/<install>`, installed from its tarball. */
  install: LeakproofPackage
  tarballs: Tarballs
}

export interface CommandResult {
  exitCode: number | null
  /** stdout and stderr. */
  output: string
  /** Set when the command ran past its deadline and was killed. */
  killedAfterMs?: number
}

export interface TestOutcome {
  status: string
  failureMessages: string[]
  /** Milliseconds, as the runner measured the test. */
  duration?: number | null
}

export interface RunnerRun extends CommandResult {
  /** Every test of the run by full name. */
  tests: Map<string, TestOutcome>
}

export interface Project {
  dir: string
  /** The absolute path of a file of an installed package: `project.bin('typescript/bin/tsc')`. */
  bin(path: string): string
  /** Runs `node ...args` with this process's Node in `cwd` (a folder of the project). */
  node(args: string[], cwd?: string): Promise<CommandResult>
  /** `tsc --noEmit -p tsconfig.json` (plus `args`) in `cwd`; throws with tsc's output unless it passes. */
  typeCheck(cwd: string, args?: string[]): Promise<void>
  /**
   * Runs `node ...args` (a runner that writes Jest-shaped JSON to `resultsFile`) and reads each test's outcome.
   * Throws when the run takes longer than RUN_DEADLINE_MS.
   */
  runTests(
    args: string[],
    options: { cwd?: string; resultsFile: string; env?: Record<string, string> },
  ): Promise<RunnerRun>
  /** `npx --no-install leakproof ...args` in the project, as its README tells users to run the command. */
  leakproof(args: string[]): Promise<CommandResult>
  remove(): void
}

/** This process's environment without what would leak into the child: pnpm's npm settings, Vitest's, NODE_OPTIONS. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }
  for (const key of Object.keys(env)) {
    if (/^npm_config_/i.test(key) || key.startsWith('VITEST') || key === 'NODE_OPTIONS') delete env[key]
    if (key.startsWith('LEAKPROOF_') || key.startsWith('GITHUB_')) delete env[key]
  }
  return env
}

/**
 * Runs a command and collects its output. Past `deadlineMs` the command and its children are killed: the result
 * then says so (`killedAfterMs`).
 */
function spawnCollect(
  command: string,
  args: string[],
  cwd: string,
  deadlineMs?: number,
  env: Record<string, string> = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    // Its own process group, so a deadline also ends the runner's workers.
    const child = spawn(command, args, {
      cwd,
      env: { ...cleanEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    let output = ''
    const collect = (chunk: string) => {
      output += chunk
    }
    child.stdout.setEncoding('utf8').on('data', collect)
    child.stderr.setEncoding('utf8').on('data', collect)
    let killedAfterMs: number | undefined
    const timer =
      deadlineMs === undefined
        ? undefined
        : setTimeout(() => {
            killedAfterMs = deadlineMs
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
          }, deadlineMs)
    child.on('error', reject)
    child.on('close', (exitCode) => {
      clearTimeout(timer)
      resolve({ exitCode, output, ...(killedAfterMs === undefined ? {} : { killedAfterMs }) })
    })
  })
}

/** Creates the project and installs it; the caller removes it (`project.remove()`). */
export async function createProject(spec: ProjectSpec): Promise<Project> {
  const dir = mkdtempSync(join(tmpdir(), `leakproof-consumer-${spec.name}-`))
  const project: Project = {
    dir,
    bin: (path) => join(dir, 'node_modules', path),
    node: (args, cwd = '.') => spawnCollect(process.execPath, args, join(dir, cwd)),
    async typeCheck(cwd, args = []) {
      const result = await project.node(
        [project.bin('typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json', ...args],
        cwd,
      )
      if (result.exitCode !== 0) {
        throw new Error(`tsc --noEmit ${args.join(' ')} in ${spec.name}/${cwd} failed:\n${result.output}`)
      }
    },
    async runTests(args, { cwd = '.', resultsFile, env }) {
      const result = await spawnCollect(process.execPath, args, join(dir, cwd), RUN_DEADLINE_MS, env)
      if (result.killedAfterMs !== undefined) {
        throw new Error(
          `the run did not end within ${result.killedAfterMs / 1000} s and was killed (five tests that each end ` +
            `within the runner's default timeout take well under a minute). Its output so far:\n${result.output}`,
        )
      }
      const resultsPath = join(dir, cwd, resultsFile)
      if (!existsSync(resultsPath)) {
        throw new Error(`the run wrote no ${resultsFile} (exit code ${result.exitCode}):\n${result.output}`)
      }
      const report = JSON.parse(readFileSync(resultsPath, 'utf8')) as {
        testResults: { assertionResults: ({ fullName: string } & TestOutcome)[] }[]
      }
      const tests = new Map<string, TestOutcome>()
      for (const file of report.testResults) for (const test of file.assertionResults) tests.set(test.fullName, test)
      return { ...result, tests }
    },
    leakproof: (args) => spawnCollect('npx', ['--no-install', 'leakproof', ...args], dir),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
  try {
    for (const fixture of spec.fixtures) cpSync(join(FIXTURES, fixture), dir, { recursive: true })
    const suiteTest = readFileSync(join(FIXTURES, 'suite', 'leak.test.ts'), 'utf8')
    if (!suiteTest.startsWith(SUITE_IMPORT)) {
      throw new Error(`fixtures/suite/leak.test.ts must start with ${SUITE_IMPORT}`)
    }
    for (const [folder, importLine] of Object.entries(spec.suites ?? {})) {
      cpSync(join(FIXTURES, 'suite', 'subject.ts'), join(dir, folder, 'subject.ts'))
      writeFileSync(
        join(dir, folder, 'leak.test.ts'),
        suiteTest.replace(SUITE_IMPORT, importLine ? `${importLine}\n` : ''),
      )
    }
    const manifest = {
      name: `leakproof-consumer-${spec.name}`,
      private: true,
      ...(spec.type ? { type: spec.type } : {}),
      devDependencies: spec.devDependencies,
      // @leakproof/core is not on the registry yet: its dependents get the packed one, at the version they ask for.
      ...(spec.install === 'core' ? {} : { overrides: { '@leakproof/core': spec.tarballs.core } }),
    }
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    // npm's own cache makes a repeated run fast; --prefer-offline skips revalidating what it holds.
    const npmArgs = ['install', '-D', '--no-audit', '--no-fund', '--prefer-offline', spec.tarballs[spec.install]]
    const installed = await spawnCollect('npm', npmArgs, dir)
    if (installed.exitCode !== 0) throw new Error(`npm ${npmArgs.join(' ')} failed in ${dir}:\n${installed.output}`)
    // Exit code 1 on a missing or invalid peer dependency, or on anything else npm finds wrong in the tree.
    const tree = await spawnCollect('npm', ['ls', '--all'], dir)
    if (tree.exitCode !== 0) throw new Error(`npm ls --all in ${dir} found problems:\n${tree.output}`)
  } catch (error) {
    project.remove()
    throw error
  }
  return project
}

/** The first lines of each failure message without stack frames, indented: the runner's output follows them. */
const excerpt = (messages: string[]) =>
  messages
    .map((message) =>
      message
        .split('\n')
        .filter((line) => !/^\s+at /.test(line))
        .slice(0, 8)
        .join('\n'),
    )
    .join('\n')
    .replace(/^/gm, '    ')

/**
 * Checks a run against the contract: every test of the suite ends within the runner's default timeout
 * (`timeoutMs`, when the runner has one); each leak test fails with `leakMessage` first (not a timeout) and names the
 * heap figure per call; each clean one passes; the run exits with 1 (the leak tests fail it). Throws with every
 * mismatch and the runner's output.
 */
export function checkVerdicts(run: RunnerRun, expected: { leakMessage: string; timeoutMs?: number }): void {
  const { leakMessage, timeoutMs } = expected
  const problems: string[] = []
  for (const [name, verdict] of Object.entries(SUITE)) {
    const test = run.tests.get(name)
    if (!test) {
      problems.push(`"${name}" was not reported (reported: ${[...run.tests.keys()].join(' | ') || 'none'})`)
      continue
    }
    const took = typeof test.duration === 'number' ? `${test.status} in ${Math.round(test.duration)} ms` : test.status
    const messages = excerpt(test.failureMessages)
    if (verdict === 'clean' && test.status !== 'passed') {
      problems.push(`"${name}" ${took}, expected to pass:\n${messages}`)
    } else if (verdict === 'leak' && (test.status !== 'failed' || !test.failureMessages[0]?.includes(leakMessage))) {
      problems.push(`"${name}" ${took}, expected to fail with "${leakMessage}" first:\n${messages}`)
    } else if (verdict === 'leak' && !/heap\s+[\d.,]+ B\/call/.test(test.failureMessages[0] ?? '')) {
      problems.push(`"${name}" failed without the heap figure per call:\n${messages}`)
    } else if (timeoutMs !== undefined && typeof test.duration === 'number' && test.duration > timeoutMs) {
      problems.push(`"${name}" ${took}: longer than the runner's default timeout, ${timeoutMs} ms`)
    }
  }
  if (run.exitCode !== 1) problems.push(`exit code ${run.exitCode}, expected 1 (the leak tests fail the run)`)
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\n--- the runner's output:\n${run.output}`)
}
