import { describe, expect, test } from 'vitest'
import { type JestRun, normalizeMessage, runJest } from './run-jest.js'

const LEAK_TESTS = {
  'leaky sync leak fails .not.toLeak': 'failed',
  'leaky async leak fails .not.toLeak': 'failed',
  'leaky positive form passes on a leak': 'passed',
  'clean sync clean passes .not.toLeak': 'passed',
  'clean async clean passes .not.toLeak': 'passed',
  'clean positive form fails on clean code': 'failed',
  'forgotten await fails': 'failed',
  'the next test is not disturbed': 'passed',
} as const

function pick(statuses: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, statuses[name] ?? 'missing']))
}

function statuses(run: JestRun): Record<string, string> {
  return Object.fromEntries([...run.tests].map(([name, test]) => [name, test.status]))
}

/** The failure message as Jest reported it, figures included. */
function rawFailure(run: JestRun, name: string): string {
  const test = run.tests.get(name)
  if (!test) throw new Error(`Jest did not report the test "${name}". stderr:\n${run.stderr}`)
  return test.failureMessages.join('\n')
}

/** The failure message without colours, stack frames and figures (for snapshots). */
function failure(run: JestRun, name: string): string {
  return normalizeMessage(rawFailure(run, name))
}

/**
 * The end-to-end suite, run by test/jest-e2e (Jest 30) and test/jest29-e2e (Jest 29) against their own Jest.
 * `metrics: false` leaves out the external/handles/listeners fixture (30 s): those verdicts come from the core, and
 * the adapter's path for them is the same as for heap.
 */
export function defineJestE2e(jestPackageDir: string, { metrics = true }: { metrics?: boolean } = {}): void {
  describe('default options and timeouts: leak tests and clean tests sharing module state in one file', () => {
    let run: JestRun
    test('runs Jest and fails the run because of the leaks', async () => {
      run = await runJest(jestPackageDir, 'default-path', ['-i'])
      expect(run.exitCode, run.stderr).toBe(1)
      expect(run.stderr).not.toContain('already running')
    })

    test('every verdict is right', () => {
      expect(statuses(run), run.stderr).toEqual({
        'leaks a session per call': 'failed',
        'leaks a log line per request, behind setTimeout(0)': 'failed',
        'leaks a listener per call': 'failed',
        'clean parsing': 'passed',
        'clean an LRU cache of 5,000 entries fed a new key per call': 'passed',
        'clean an async fetch': 'passed',
        'a leak under a 1 s timeout': 'failed',
        'a clean test right after it': 'passed',
      })
      for (const name of ['leaks a session per call', 'leaks a listener per call', 'a leak under a 1 s timeout']) {
        expect(rawFailure(run, name)).toContain('Expected fn not to leak, but it does')
        expect(rawFailure(run, name)).not.toContain('Exceeded timeout')
      }
      expect(rawFailure(run, 'leaks a log line per request, behind setTimeout(0)')).toContain('Expected fn not to leak')
    })

    test('every test ends within its timeout', () => {
      for (const [name, test] of run.tests) {
        const timeout = name === 'a leak under a 1 s timeout' ? 1000 : 5000
        expect(test.duration, name).toBeLessThan(timeout)
      }
    })
  })

  describe('faults of the measured function, default options and timeouts', () => {
    let run: JestRun
    test('runs Jest: each fault fails its own test, and the test after it passes', async () => {
      run = await runJest(jestPackageDir, 'faults', ['-i'])
      expect(run.exitCode, run.stderr).toBe(1)
      expect(statuses(run), run.stderr).toEqual({
        'a first call that never settles': 'failed',
        'measures normally after a call that never settled': 'passed',
        'process.exit inside fn': 'failed',
        'measures normally after process.exit': 'passed',
        'a runaway leak of a megabyte per call': 'failed',
        'measures normally after a runaway leak': 'passed',
      })
    })

    test("each failure says what happened, before Jest's timeout", () => {
      expect(rawFailure(run, 'a first call that never settles')).toMatch(
        /call 1 of fn had not settled after \d+ ms when the measurement's deadline \(\d+ ms\)/,
      )
      expect(rawFailure(run, 'a first call that never settles')).not.toContain('Exceeded timeout')
      expect(rawFailure(run, 'process.exit inside fn')).toContain('fn called process.exit(0) on call 1')
      expect(rawFailure(run, 'a runaway leak of a megabyte per call')).toMatch(/stopped early after \d+ calls/)
      expect(run.stderr).not.toContain('already running')
    })
  })

  describe('global expect, CommonJS test files, in band (-i)', () => {
    let run: JestRun
    test('runs Jest and fails the run', async () => {
      run = await runJest(jestPackageDir, 'globals-cjs', ['-i'])
      expect(run.exitCode, run.stderr).toBe(1)
    })

    test('every test has the expected outcome', () => {
      expect(statuses(run), run.stderr).toEqual(LEAK_TESTS)
    })

    test('failure messages of sync and async leaks, in Jest style', () => {
      expect(failure(run, 'leaky sync leak fails .not.toLeak')).toMatchSnapshot()
      expect(failure(run, 'leaky async leak fails .not.toLeak')).toMatchSnapshot()
    })

    test('failure message of the positive form on clean code', () => {
      expect(failure(run, 'clean positive form fails on clean code')).toMatchSnapshot()
    })

    test('a forgotten await fails its test with a message saying to await', () => {
      const message = failure(run, 'forgotten await fails')
      expect(message).toContain('expect(fn).toLeak() was still running when the test ended')
      expect(message).toContain('await expect(fn).not.toLeak()')
      expect(message).toMatchSnapshot()
    })

    test('the reporter prints one row per metric and assertion at the end', () => {
      // The forgotten await's measurement was stopped when its test ended: no report, no row.
      expect(run.stderr).toContain('leakproof: 7 leak assertions, 3 leaking')
      const table = run.stderr.slice(run.stderr.indexOf('leakproof: 7 leak assertions'))
      expect(table).toMatch(/^test\s+metric\s+per call\s+budget\s+verdict\s+time$/m)
      expect(table).toMatch(
        /^leaky › sync leak fails \.not\.toLeak\s+heap\s+[\d.,]+ B\/call\s+[\d.]+ B\/call\s+LEAK\s/m,
      )
      expect(table).toMatch(
        /^clean › sync clean passes \.not\.toLeak\s+heap\s+-?[\d.,]+ B\/call\s+[\d.]+ B\/call\s+ok\s/m,
      )
      expect(table).not.toMatch(/^forgotten await fails\s/m)
    })

    test('the reporter writes the JSON file with every report', () => {
      const json = run.leakproofJson as {
        version: number
        leaks: number
        entries: { test: string; file: string; report: { leaked: boolean; mode: string } }[]
      }
      expect(json.version).toBe(1)
      expect(json.leaks).toBe(3)
      const entries = json.entries.map(({ test, file, report }) => ({
        test,
        file,
        leaked: report.leaked,
        mode: report.mode,
      }))
      expect(entries).toEqual([
        { test: 'the next test is not disturbed', file: 'await.test.js', leaked: false, mode: 'sync' },
        { test: 'clean › sync clean passes .not.toLeak', file: 'clean.test.js', leaked: false, mode: 'sync' },
        { test: 'clean › async clean passes .not.toLeak', file: 'clean.test.js', leaked: false, mode: 'async' },
        { test: 'clean › positive form fails on clean code', file: 'clean.test.js', leaked: false, mode: 'sync' },
        { test: 'leaky › sync leak fails .not.toLeak', file: 'leak.test.js', leaked: true, mode: 'sync' },
        { test: 'leaky › async leak fails .not.toLeak', file: 'leak.test.js', leaked: true, mode: 'async' },
        { test: 'leaky › positive form passes on a leak', file: 'leak.test.js', leaked: true, mode: 'sync' },
      ])
    })

    test('the reporter appends a Markdown table to $GITHUB_STEP_SUMMARY', () => {
      expect(run.stepSummary).toContain('### leakproof')
      expect(run.stepSummary).toContain('7 leak assertions, 3 leaking.')
      expect(run.stepSummary).toMatch(
        /^\| leaky › sync leak fails \.not\.toLeak \| leak\.test\.js:\d+ \| heap \| [\d.,]+ B\/call \| .* \| LEAK \|/m,
      )
    })
  })

  describe('global expect, CommonJS test files, two workers', () => {
    test('the same outcomes, and reports reach the reporter from the workers', async () => {
      // Two files, one per worker: the leaking functions and the forgotten-await guard.
      const run = await runJest(jestPackageDir, 'globals-cjs', ['--maxWorkers=2', 'leak.test.js', 'await.test.js'])
      expect(run.exitCode, run.stderr).toBe(1)
      const expected = Object.keys(LEAK_TESTS).filter((name) => !name.startsWith('clean '))
      expect(statuses(run), run.stderr).toEqual(pick(LEAK_TESTS, expected))
      expect(failure(run, 'leaky sync leak fails .not.toLeak')).toContain('Expected fn not to leak, but it does: heap')
      expect(failure(run, 'forgotten await fails')).toContain('was still running when the test ended')
      const json = run.leakproofJson as { leaks: number; entries: { test: string; file: string }[] }
      expect(json.leaks).toBe(3)
      expect(json.entries.map(({ test, file }) => `${file}: ${test}`)).toEqual([
        'await.test.js: the next test is not disturbed',
        'leak.test.js: leaky › sync leak fails .not.toLeak',
        'leak.test.js: leaky › async leak fails .not.toLeak',
        'leak.test.js: leaky › positive form passes on a leak',
      ])
      expect(run.stderr).toContain('leakproof: 4 leak assertions, 3 leaking')
    })
  })

  describe.runIf(metrics)('leaks beyond the JS heap (external memory, handles, listeners), in band', () => {
    let run: JestRun
    test('runs Jest: each leak fails, each fixed twin passes, and Jest exits', async () => {
      run = await runJest(jestPackageDir, 'metrics', ['-i'])
      expect(run.exitCode, run.stderr).toBe(1)
      expect(statuses(run), run.stderr).toEqual({
        'external a Buffer kept per call fails': 'failed',
        'external a bounded Buffer pool passes': 'passed',
        'handles an interval never cleared fails': 'failed',
        'handles an interval cleared passes': 'passed',
        "listeners process.on('exit') per call fails": 'failed',
        "listeners process.on('exit') removed passes": 'passed',
      })
    })

    test('each leak fails on its own metric, naming what grew', () => {
      expect(rawFailure(run, 'external a Buffer kept per call fails')).toMatch(
        /external 1,0\d\d B\/call > budget 0\.25 B\/call/,
      )
      expect(rawFailure(run, 'handles an interval never cleared fails')).toMatch(
        /handles 1\.00 handles\/call > budget 0\.01 handles\/call \(Timeout 1\.00\/call\)/,
      )
      expect(rawFailure(run, "listeners process.on('exit') per call fails")).toMatch(
        /listeners 1\.00 listeners\/call > budget 0\.01 listeners\/call \(process 'exit' 1\.00\/call\)/,
      )
    })
  })

  describe('native ES modules (--experimental-vm-modules): the ESM entries', () => {
    test('the leak fails, the clean async function passes, the reporter counts both', async () => {
      const run = await runJest(jestPackageDir, 'globals-esm', [], ['--experimental-vm-modules'])
      expect(run.exitCode, run.stderr).toBe(1)
      expect(statuses(run), run.stderr).toEqual({
        'esm sync leak fails .not.toLeak': 'failed',
        'esm async clean passes .not.toLeak': 'passed',
      })
      expect(failure(run, 'esm sync leak fails .not.toLeak')).toContain('Expected fn not to leak, but it does: heap')
      expect(run.stderr).toContain('leakproof: 2 leak assertions, 1 leaking')
    })
  })

  describe("TypeScript test files (ts-jest), expect from '@jest/globals', injectGlobals off", () => {
    let run: JestRun
    test('runs Jest: the leak fails, the clean async function passes', async () => {
      run = await runJest(jestPackageDir, 'globals-ts', [])
      expect(run.exitCode, run.stderr).toBe(1)
      expect(statuses(run), run.stderr).toEqual({
        'sessions (TypeScript) a leaking sync function fails': 'failed',
        'sessions (TypeScript) a clean async function passes': 'passed',
      })
      expect(run.stderr).toContain('leakproof: 2 leak assertions, 1 leaking')
      expect(run.stderr).toMatch(/^sessions \(TypeScript\) › a leaking sync function fails\s+heap\s.*LEAK/m)
    })

    test('source maps stay on: the failure points at the TypeScript line of the assertion', () => {
      const raw = rawFailure(run, 'sessions (TypeScript) a leaking sync function fails')
      // Line 27 of leak.test.ts; the emitted JavaScript has it several lines higher (types are erased).
      expect(raw).toMatch(/leak\.test\.ts:27:\d+/)
    })
  })
}
