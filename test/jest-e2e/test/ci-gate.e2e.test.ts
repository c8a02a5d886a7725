import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LeakSummaryJson } from '@leakproof/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { copyFixture, type JestRun, runJestIn } from '../src/run-jest.js'

// Gating a Jest 30 project: the known-leaks baseline, sharded runs joined by `leakproof merge`, annotations and the
// job summary, and the `leakproof` command as a project that installed @leakproof/jest runs it (`npx leakproof`).
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const dir = copyFixture(packageDir, 'baseline')
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const baselineFile = join(dir, 'leakproof-baseline.json')

const jest = (env: Record<string, string> = {}, args: string[] = []) => runJestIn(packageDir, dir, args, { env })
const leakproof = (...args: string[]) => {
  const result = spawnSync(join(packageDir, 'node_modules', '.bin', 'leakproof'), args, { cwd: dir, encoding: 'utf8' })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}
const readJson = <T>(name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as T
const status = (run: JestRun, name: string) => run.tests.get(name)?.status ?? `missing (stderr: ${run.stderr})`
const failure = (run: JestRun, name: string) => run.tests.get(name)?.failureMessages.join('\n') ?? ''
const heapOf = (file: string, test: string, index = '1') =>
  readJson<{ leaks: Record<string, Record<string, Record<string, { heap?: number }>>> }>('leakproof-baseline.json')
    .leaks[file]?.[test]?.[index]?.heap
const lineOf = (file: string, text: string) =>
  readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(text)) + 1

describe('the known-leaks baseline on the real Jest 30 CLI', () => {
  test('LEAKPROOF_UPDATE=1 writes every leak, keyed by Jest’s full test name, and the run passes', async () => {
    const first = await jest({ LEAKPROOF_UPDATE: '1' })
    expect(first.exitCode, first.stderr).toBe(0)
    expect(first.stderr).toContain(
      'leakproof-baseline.json updated (LEAKPROOF_UPDATE=1): 3 added, 0 lowered, 0 removed',
    )
    expect(heapOf('cache.test.js', 'cache keeps every entry')).toBeGreaterThan(500)
    expect(heapOf('cache.test.js', 'cache evicts old entries')).toBeGreaterThan(250)
    expect(heapOf('session.test.js', 'session two assertions in one test', '2')).toBeGreaterThan(300)
    expect(heapOf('session.test.js', 'session two assertions in one test', '1')).toBeUndefined()
  })

  test('known leaks pass and the JSON marks them known', async () => {
    const again = await jest()
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.stderr).toContain('leakproof: 6 leak assertions, 3 leaking (3 known)')
    const json = readJson<LeakSummaryJson>('leaks.json')
    expect([json.leaks, json.known]).toEqual([0, 3])
  })

  test('a worse leak and a new one fail, a fixed one is stale, and each failure is annotated at its line', async () => {
    const changed = await jest({ WORSE: '1', NEW_LEAK: '1', FIXED: '1', GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: dir })
    expect(changed.exitCode).toBe(1)
    expect(status(changed, 'cache keeps every entry')).toBe('failed')
    expect(failure(changed, 'cache keeps every entry')).toMatch(
      /It is a known leak of .*leakproof-baseline\.json, but worse than its entry: heap/,
    )
    expect(status(changed, 'session opens and closes')).toBe('failed')
    expect(failure(changed, 'session opens and closes')).toContain('It is not a known leak of')
    expect(status(changed, 'cache evicts old entries')).toBe('passed')
    expect(status(changed, 'session two assertions in one test')).toBe('passed')
    expect(changed.stderr).toContain('  cache.test.js › cache evicts old entries')
    const annotations = changed.stdout.split('\n').filter((line) => line.startsWith('::error '))
    expect(annotations).toEqual([
      expect.stringMatching(
        new RegExp(
          `^::error file=cache\\.test\\.js,line=${lineOf('cache.test.js', "expect(keep(process.env.WORSE === '1'")},title=leakproof%3A cache › keeps every entry leaks more than its baseline entry::heap `,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^::error file=session\\.test\\.js,line=${lineOf('session.test.js', 'expect(open).not.toLeak()')},title=leakproof%3A session › opens and closes leaks::`,
        ),
      ),
    ])
    expect(changed.stepSummary).toMatch(
      /^\| cache › keeps every entry \| cache\.test\.js:\d+ \| heap \| .* \| LEAK \(worse\) \|/m,
    )
    expect(changed.stepSummary).toMatch(
      /^\| session › opens and closes \| session\.test\.js:\d+ \| heap \| .* \| LEAK \(new\) \|/m,
    )
  })

  test('LEAKPROOF_UPDATE=1 keeps a worse entry as it is, and removes the fixed one', async () => {
    const before = heapOf('cache.test.js', 'cache keeps every entry')
    const ratchet = await jest({ LEAKPROOF_UPDATE: '1', WORSE: '1', FIXED: '1' })
    expect(ratchet.exitCode).toBe(1)
    expect(status(ratchet, 'cache keeps every entry')).toBe('failed')
    expect(heapOf('cache.test.js', 'cache keeps every entry')).toBe(before)
    expect(heapOf('cache.test.js', 'cache evicts old entries')).toBeUndefined()
    expect(ratchet.stderr).toContain('removed  cache.test.js › cache evicts old entries (its leak is gone)')
  })

  test('a baseline that is not one fails the leak assertions with the file named', async () => {
    writeFileSync(baselineFile, '{"version": 2}\n')
    const bad = await jest({}, ['cache.test.js', '-t', 'is clean'])
    expect(bad.exitCode).toBe(1)
    expect(failure(bad, 'cache is clean')).toContain(
      `${baselineFile}: is not a leakproof baseline (expected {"version": 1`,
    )
    rmSync(baselineFile)
  })
})

describe('sharded runs and the leakproof command', () => {
  let whole: LeakSummaryJson
  beforeAll(async () => {
    rmSync(baselineFile, { force: true })
    const run = await jest()
    expect(run.exitCode).toBe(1)
    whole = readJson<LeakSummaryJson>('leaks.json')
    for (const shard of ['1/2', '2/2']) await jest({}, [`--shard=${shard}`])
  })

  const shape = (json: LeakSummaryJson) =>
    json.entries.map(({ test, file, line, index, report }) => ({ test, file, line, index, leaked: report.leaked }))

  test('--shard writes one file per shard, and `leakproof merge` joins them into the unsharded run’s', () => {
    expect(existsSync(join(dir, 'leaks.shard-1-of-2.json'))).toBe(true)
    expect(existsSync(join(dir, 'leaks.shard-2-of-2.json'))).toBe(true)
    expect(readFileSync(join(dir, 'leaks.shard-2-of-2.html'), 'utf8')).toContain('cache › keeps every entry')
    const merged = leakproof('merge', 'leaks.shard-1-of-2.json', 'leaks.shard-2-of-2.json', '--out', 'merged.json')
    // Exit 1: the merged run holds leaks the (absent) baseline does not know.
    expect(merged.code, merged.stderr).toBe(1)
    expect(merged.stdout).toContain('leakproof merge: 2 file(s) → merged.json: 6 leak assertions, 3 leaking')
    const json = readJson<LeakSummaryJson>('merged.json')
    expect(shape(json)).toEqual(shape(whole))
    expect(json.leaks).toBe(whole.leaks)
  })

  test('`leakproof summary` prints the Markdown table of a merged file', () => {
    const summary = leakproof('summary', 'merged.json')
    expect(summary.code).toBe(0)
    expect(summary.stdout).toContain('6 leak assertions, 3 leaking.')
    expect(summary.stdout).toMatch(/^\| cache › keeps every entry \| cache\.test\.js:\d+ \| heap \| .* \| LEAK \|/m)
  })

  test('`leakproof compare` finds the leak that grew and the new one', async () => {
    await jest({ WORSE: '1', NEW_LEAK: '1' })
    const compared = leakproof('compare', 'merged.json', 'leaks.json')
    expect(compared.code, compared.stderr).toBe(1)
    expect(compared.stdout).toMatch(
      /^\| cache › keeps every entry \| cache\.test\.js \| heap \| \d+ B\/call \| [\d,]+ B\/call \| ×[3-5]\.\d \|$/m,
    )
    expect(compared.stdout).toMatch(
      /^\| session › opens and closes \| session\.test\.js \| heap \| \d+\.\d+ B\/call \| \d+ B\/call \| now leaks \|$/m,
    )
    expect(leakproof('compare', 'merged.json', 'merged.json').code).toBe(0)
  })

  test('bad files and command lines get exit code 2 and say what is wrong', () => {
    writeFileSync(join(dir, 'broken.json'), '{"entries": 3}')
    const broken = leakproof('merge', 'leaks.shard-1-of-2.json', 'broken.json', '--out', 'x.json')
    expect(broken.code).toBe(2)
    expect(broken.stderr).toContain(`${join(dir, 'broken.json')}: has no "entries" list`)
    expect(existsSync(join(dir, 'x.json'))).toBe(false)
    const twice = leakproof('merge', 'leaks.shard-1-of-2.json', 'leaks.shard-1-of-2.json', '--out', 'x.json')
    expect(twice.code).toBe(2)
    expect(twice.stderr).toContain('is also in')
    const missing = leakproof('summary', 'nope.json')
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('nope.json: no such file')])
    const usage = leakproof('merge', 'leaks.json')
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringContaining('--out FILE is required')])
    expect(leakproof('frobnicate').code).toBe(2)
  })
})
