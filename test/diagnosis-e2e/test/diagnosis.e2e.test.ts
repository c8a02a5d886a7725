import { spawn } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url))
const require = createRequire(import.meta.url)
const vitestCli = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs')
const jestCli = join(dirname(require.resolve('jest/package.json')), 'bin', 'jest.js')

/** Vitest's and Jest's default test timeout: the fixtures set none, and neither do their leak assertions. */
const DEFAULT_TIMEOUT_MS = 5000
/** The bound for a diagnosis: at most 2 s. */
const DIAGNOSIS_MAX_MS = 2000

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences
const ANSI = /\u001b\[[0-9;]*m/g

/** Runs a runner's CLI in a fixture folder; resolves with its exit code and its output without colours. */
async function run(cwd: string, args: string[], env: Record<string, string> = {}) {
  rmSync(join(cwd, '.results'), { recursive: true, force: true })
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NO_COLOR: '1', FORCE_COLOR: '0' }
  // The outer Vitest's variables would make an inner Vitest think it is a worker.
  for (const key of Object.keys(childEnv)) if (key.startsWith('VITEST')) delete childEnv[key]
  delete childEnv.NODE_OPTIONS
  const child = spawn(process.execPath, args, { cwd, env: childEnv })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exitCode = await new Promise<number | null>((done) => child.on('close', done))
  return { exitCode, output: output.replace(ANSI, '') }
}

/** One test's result, from the runner's own JSON report. */
interface TestResult {
  title: string
  status: string
  duration: number
  message: string
}

/** Vitest's and Jest's JSON results agree on these fields. */
function readResults(path: string): TestResult[] {
  const json = JSON.parse(readFileSync(path, 'utf8')) as {
    testResults: Array<{
      assertionResults: Array<{ title: string; status: string; duration?: number; failureMessages: string[] }>
    }>
  }
  return json.testResults.flatMap((file) =>
    file.assertionResults.map((result) => ({
      title: result.title,
      status: result.status,
      duration: result.duration ?? Number.NaN,
      message: result.failureMessages.join('\n').replace(ANSI, ''),
    })),
  )
}

interface LeakEntry {
  test: string
  report: { leaked: boolean; durationMs: number; diagnosis?: { durationMs: number; phasesMs?: Record<string, number> } }
}

function readLeakReports(path: string): LeakEntry[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { entries: LeakEntry[] }).entries
}

/** 1-based line of the first line of a fixture source that contains `text`: where the diagnosis must point. */
function lineOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(text))
  if (index < 0) throw new Error(`no "${text}" in ${file}`)
  return index + 1
}

/** The diagnosis's three answers: the first `what:`, `where:` and `held by:` lines, without their indentation. */
function answers(message: string): { what: string; where: string; heldBy: string } {
  const line = (label: string) =>
    message
      .split('\n')
      .find((text) => text.trimStart().startsWith(`${label}:`))
      ?.trim() ?? `(no ${label} line)`
  return { what: line('what'), where: line('where'), heldBy: line('held by') }
}

const TITLES = {
  cache: 'a Map that gains a session per call',
  bus: 'an emitter that gains a listener per call',
}

/** Checks what every runner must print, for the fixture folder `folder` whose sources end in `ext`. */
function expectDiagnoses(folder: string, ext: 'ts' | 'js', results: TestResult[], leaks: LeakEntry[]): void {
  const source = (name: string) => join(fixtures, folder, 'src', `${name}.${ext}`)
  expect(results.map((result) => result.title).sort()).toEqual(Object.values(TITLES).sort())
  for (const result of results) {
    // Failed as a leak, inside the default timeout: not as a timeout.
    expect(result.status, result.title).toBe('failed')
    expect(result.message).toContain('Expected fn not to leak')
    expect(result.message).not.toMatch(/timed out|Exceeded timeout/i)
    expect(result.duration, result.title).toBeLessThan(DEFAULT_TIMEOUT_MS)
  }
  const cache = answers(results.find((result) => result.title === TITLES.cache)?.message ?? '')
  expect(cache.what).toMatch(/^what: +Session 1\.00\/call\b/)
  expect(cache.where).toMatch(
    new RegExp(`^where: +openSession src/cache\\.${ext}:${lineOf(source('cache'), 'new Session(')}\\b`),
  )
  expect(cache.heldBy).toBe(`held by: cache.${ext} › sessions (Map) › entry › Session`)

  const bus = answers(results.find((result) => result.title === TITLES.bus)?.message ?? '')
  expect(bus.what).toMatch(
    new RegExp(
      `^what: +\\(anonymous\\)\\(\\) 1\\.00/call \\(created at src/bus\\.${ext}:${lineOf(source('bus'), 'bus.on(')}\\)`,
    ),
  )
  // The user's line that called into Node's events, the function it called there, and the way from the test.
  expect(bus.where).toMatch(
    new RegExp(
      `^where: +subscribe src/bus\\.${ext}:${lineOf(source('bus'), 'bus.on(')} → node:events (EventEmitter\\.on|addListener)\\b`,
    ),
  )
  expect(bus.where).toContain(`← handleRequest (src/app.${ext}:`)
  // The listener line names the same line of the original source, not of the code the runner compiled.
  const busMessage = results.find((result) => result.title === TITLES.bus)?.message ?? ''
  expect(busMessage).toMatch(
    new RegExp(
      `'x' 1\\.00/call \\([\\d,]+ added\\) — added at subscribe \\(src/bus\\.${ext}:${lineOf(source('bus'), 'bus.on(')}:\\d+\\)`,
    ),
  )
  expect(bus.heldBy).toMatch(
    new RegExp(
      `^held by: bus\\.${ext} › bus \\(EventEmitter\\) › \\._events \\(Object\\) › \\.x \\(Array\\) › \\[\\d+\\]`,
    ),
  )

  expect(leaks).toHaveLength(2)
  for (const { test: title, report } of leaks) {
    expect(report.leaked, title).toBe(true)
    expect(report.diagnosis?.durationMs, title).toBeLessThan(DIAGNOSIS_MAX_MS)
    console.log(
      `${folder} · ${title}: measurement ${Math.round(report.durationMs)} ms, diagnosis ` +
        `${Math.round(report.diagnosis?.durationMs ?? 0)} ms ${JSON.stringify(report.diagnosis?.phasesMs)}`,
    )
  }
}

describe.each(['forks', 'threads', 'vmThreads', 'vmForks'])(
  'Vitest 4.1, TypeScript transformed by Vitest, %s pool',
  (pool) => {
    test('the failure names the type, the function and its line in the original TypeScript, and the holder', async () => {
      const cwd = join(fixtures, 'vitest')
      const { exitCode, output } = await run(cwd, [vitestCli, 'run'], { LEAKPROOF_POOL: pool })
      expect(exitCode, output).toBe(1)
      expect(existsSync(join(cwd, '.results', 'vitest.json')), output).toBe(true)
      const results = readResults(join(cwd, '.results', 'vitest.json'))
      expectDiagnoses('vitest', 'ts', results, readLeakReports(join(cwd, '.results', 'leakproof.json')))
    })
  },
)

describe.each([
  ['ts-jest', 'jest-ts', 'ts'],
  ['CommonJS', 'jest-cjs', 'js'],
] as const)('Jest 30, %s', (_name, folder, ext) => {
  test('the failure names the type, the function and its source line, and the holder', async () => {
    const cwd = join(fixtures, folder)
    const { exitCode, output } = await run(cwd, [jestCli, '--ci', '--json', '--outputFile=.results/jest.json'])
    expect(exitCode, output).toBe(1)
    expect(existsSync(join(cwd, '.results', 'jest.json')), output).toBe(true)
    const results = readResults(join(cwd, '.results', 'jest.json'))
    expectDiagnoses(folder, ext, results, readLeakReports(join(cwd, '.results', 'leakproof.json')))
  })
})
