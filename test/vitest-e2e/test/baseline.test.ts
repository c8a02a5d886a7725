import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LeakSummaryJson } from '@leakproof/core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { expectStatus, type FixtureRun, fixturesDir, runFixture } from './run-fixture.ts'

// Test names below are those of Vitest's JSON report (titles joined by spaces); leakproof's use ` > `.
// The baseline fixture runs in a copy under the temp folder: the runs write leakproof-baseline.json where users
// have it (the project root), and the Vitest 4.1 and 5 suites may run at the same time.
const work = mkdtempSync(join(tmpdir(), 'leakproof-baseline-e2e-'))
const root = join(work, 'baseline')
const baselineFile = join(root, 'leakproof-baseline.json')

beforeAll(() => {
  cpSync(join(fixturesDir, 'config.ts'), join(work, 'config.ts'))
  cpSync(join(fixturesDir, 'baseline'), root, { recursive: true, filter: (path) => !path.includes('.results') })
  // The fixture resolves vitest and @leakproof/vitest from the suite's own package, as in the repository.
  symlinkSync(join(process.cwd(), 'node_modules'), join(root, 'node_modules'), 'dir')
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

const run = (env: Record<string, string> = {}, args: string[] = []) => runFixture('baseline', { root, env, args })
const readBaselineFile = () => JSON.parse(readFileSync(baselineFile, 'utf8')) as { leaks: Record<string, unknown> }
const summary = (fixture: FixtureRun) =>
  JSON.parse(readFileSync(join(fixture.resultsDir, 'leaks.json'), 'utf8')) as LeakSummaryJson
const heapOf = (file: string, test: string, index = '1') =>
  (readBaselineFile().leaks[file] as Record<string, Record<string, { heap?: number }>>)[test]?.[index]?.heap
const lineOf = (file: string, text: string) =>
  readFileSync(join(root, file), 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(text)) + 1

describe('the known-leaks baseline on the real Vitest CLI', () => {
  test('LEAKPROOF_UPDATE=1 writes every leak as known, and the run passes', async () => {
    const first = await run({ LEAKPROOF_UPDATE: '1' })
    expect(first.exitCode, first.output).toBe(0)
    expect(first.output).toContain(
      'leakproof-baseline.json updated (LEAKPROOF_UPDATE=1): 3 added, 0 lowered, 0 removed',
    )
    const { leaks } = readBaselineFile()
    expect(Object.keys(leaks)).toEqual(['cache.test.ts', 'session.test.ts'])
    expect(Object.keys(leaks['cache.test.ts'] as object)).toEqual([
      'cache > evicts old entries',
      'cache > keeps every entry',
    ])
    // The second toLeak of the test is the leaking one: keyed by its index.
    expect(
      Object.keys((leaks['session.test.ts'] as Record<string, object>)['session > two assertions in one test'] ?? {}),
    ).toEqual(['2'])
    // An array of 64 numbers per call: 8 bytes each plus the array's header.
    expect(heapOf('cache.test.ts', 'cache > keeps every entry')).toBeGreaterThan(500)
    expect(readFileSync(baselineFile, 'utf8')).toMatch(/^ {8}"1": \{ "heap": \d+(\.\d+)? \}$/m)
  })

  test('a known leak passes and is reported as known', async () => {
    const again = await run()
    expect(again.exitCode, again.output).toBe(0)
    expect(again.output).toContain('leakproof: 6 leak assertions, 3 leaking (3 known)')
    expect(again.output).toMatch(/^cache > keeps every entry\s+heap\s.*\sknown\s/m)
    const json = summary(again)
    expect(json.leaks).toBe(0)
    expect(json.known).toBe(3)
    // A known leak passes, so it is not diagnosed: that would only cost time.
    const known = json.entries.filter((entry) => entry.report.leaked)
    expect(known.map((entry) => entry.report.diagnosis)).toEqual([undefined, undefined, undefined])
  })

  describe('a change that worsens one leak, adds one and fixes one', () => {
    const stepSummary = join(work, 'step-summary.md')
    let changed: FixtureRun
    beforeAll(async () => {
      changed = await run({
        WORSE: '1',
        NEW_LEAK: '1',
        FIXED: '1',
        GITHUB_ACTIONS: 'true',
        GITHUB_WORKSPACE: work,
        GITHUB_STEP_SUMMARY: stepSummary,
      })
    })

    test('fails the worse leak and the new one, with what the baseline said', () => {
      expect(changed.exitCode, changed.output).toBe(1)
      const worse = expectStatus(changed, 'cache keeps every entry', 'failed').failureMessages[0] ?? ''
      expect(worse).toMatch(
        /It is a known leak of .*leakproof-baseline\.json, but worse than its entry: heap [\d,]+ B\/call > allowed [\d,]+ B\/call \(known \d+ B\/call\)/,
      )
      expect(worse).toContain('LEAKPROOF_UPDATE=all')
      const added = expectStatus(changed, 'session opens and closes', 'failed').failureMessages[0] ?? ''
      expect(added).toMatch(
        /It is not a known leak of .*leakproof-baseline\.json: fix it, or record it with LEAKPROOF_UPDATE=1/,
      )
      expectStatus(changed, 'cache evicts old entries', 'passed')
      expectStatus(changed, 'session two assertions in one test', 'passed')
    })

    test('lists the entry whose leak is gone as stale', () => {
      expect(changed.output).toContain(
        'leakproof: 1 entry of leakproof-baseline.json no longer leaks (stale); remove with LEAKPROOF_UPDATE=1:',
      )
      expect(changed.output).toContain('  cache.test.ts › cache > evicts old entries')
    })

    test('annotates each failing assertion at its line, and only those', () => {
      const annotations = changed.output.split('\n').filter((line) => line.startsWith('::error '))
      expect(annotations, changed.output).toHaveLength(2)
      const worseLine = lineOf('cache.test.ts', "expect(keep(process.env.WORSE === '1'")
      const newLine = lineOf('session.test.ts', 'expect(open).not.toLeak()')
      expect(annotations[0]).toMatch(
        new RegExp(
          `^::error file=baseline/cache\\.test\\.ts,line=${worseLine},title=leakproof%3A cache > keeps every entry leaks more than its baseline entry::heap `,
        ),
      )
      expect(annotations[1]).toMatch(
        new RegExp(
          `^::error file=baseline/session\\.test\\.ts,line=${newLine},title=leakproof%3A session > opens and closes leaks::heap .*%0Awhere: +open session\\.test\\.ts:\\d+`,
        ),
      )
    })

    test('writes the job summary with the baseline verdicts', () => {
      const markdown = readFileSync(stepSummary, 'utf8')
      expect(markdown).toContain('6 leak assertions, 3 leaking (1 known).')
      expect(markdown).toMatch(
        /^\| cache > keeps every entry \| cache\.test\.ts:\d+ \| heap \| .* \| LEAK \(worse\) \|/m,
      )
      expect(markdown).toMatch(
        /^\| session > opens and closes \| session\.test\.ts:\d+ \| heap \| .* \| LEAK \(new\) \|/m,
      )
      expect(markdown).toMatch(
        /^\| session > two assertions in one test \| session\.test\.ts:\d+ \| heap \| .* \| known \|/m,
      )
    })
  })

  test('LEAKPROOF_UPDATE=1 never raises an entry: the worse leak still fails', async () => {
    const before = heapOf('cache.test.ts', 'cache > keeps every entry')
    const ratchet = await run({ LEAKPROOF_UPDATE: '1', WORSE: '1' })
    expect(ratchet.exitCode, ratchet.output).toBe(1)
    expectStatus(ratchet, 'cache keeps every entry', 'failed')
    expect(ratchet.output).toMatch(/kept {5}cache\.test\.ts › cache > keeps every entry: worse than its entry/)
    expect(heapOf('cache.test.ts', 'cache > keeps every entry')).toBe(before)
  })

  test('LEAKPROOF_UPDATE=1 removes the entry of a fixed leak; LEAKPROOF_UPDATE=all raises a worse one', async () => {
    const fixed = await run({ LEAKPROOF_UPDATE: '1', FIXED: '1' })
    expect(fixed.exitCode, fixed.output).toBe(0)
    expect(fixed.output).toMatch(/removed {2}cache\.test\.ts › cache > evicts old entries \(its leak is gone\)/)
    expect(heapOf('cache.test.ts', 'cache > evicts old entries')).toBeUndefined()

    const before = heapOf('cache.test.ts', 'cache > keeps every entry') as number
    const raised = await run({ LEAKPROOF_UPDATE: 'all', WORSE: '1', FIXED: '1' })
    expect(raised.exitCode, raised.output).toBe(0)
    expect(raised.output).toMatch(/raised {3}cache\.test\.ts › cache > keeps every entry: heap \d+/)
    // Four times the array: well past the old entry's allowance.
    expect(heapOf('cache.test.ts', 'cache > keeps every entry')).toBeGreaterThan(before * 2)
  })

  test('a malformed baseline fails each leak assertion with the file named, and passes no leak', async () => {
    writeFileSync(
      baselineFile,
      '{ "version": 1, "leaks": { "cache.test.ts": { "cache > keeps every entry": { "1": { "heap": "a lot" } } } } }\n',
    )
    const bad = await run()
    expect(bad.exitCode, bad.output).toBe(1)
    for (const name of ['cache keeps every entry', 'cache is clean']) {
      const message = expectStatus(bad, name, 'failed').failureMessages[0] ?? ''
      expect(message).toContain(
        `${baselineFile}: the entry for "cache.test.ts" › "cache > keeps every entry" is malformed`,
      )
      expect(message).toContain('run the tests with LEAKPROOF_UPDATE=1 to write it again')
    }
    writeFileSync(baselineFile, 'not json')
    const notJson = await run({}, ['cache.test.ts', '-t', 'is clean'])
    expect(notJson.exitCode).toBe(1)
    expect(expectStatus(notJson, 'cache is clean', 'failed').failureMessages[0]).toContain(
      `${baselineFile}: is not valid JSON`,
    )
    rmSync(baselineFile)
  })

  test('a LEAKPROOF_UPDATE value it does not know stops the run before any test', async () => {
    rmSync(baselineFile, { force: true })
    const typo = await run({ LEAKPROOF_UPDATE: 'yes' })
    expect(typo.exitCode).toBe(1)
    expect(typo.output).toContain('LEAKPROOF_UPDATE=yes is not a value it knows: use 1')
    expect(existsSync(baselineFile)).toBe(false)
  })
})

describe('sharded runs', () => {
  test('two shards merged with --merge-reports give the leaks.json of one unsharded run', async () => {
    rmSync(baselineFile, { force: true })
    const whole = await run()
    expect(whole.exitCode).toBe(1)
    const unsharded = summary(whole)
    rmSync(join(root, '.vitest-reports'), { recursive: true, force: true })
    for (const shard of ['1/2', '2/2']) {
      const part = await run({}, [`--shard=${shard}`, '--reporter=blob'])
      expect(part.output).toMatch(/blob report written to .*blob-[12]-2\.json/)
    }
    const merged = await runFixture('baseline', { root, args: ['--merge-reports'] })
    expect(merged.exitCode, merged.output).toBe(1)
    expect(merged.output).toContain('leakproof: 6 leak assertions, 3 leaking')
    const fromShards = summary(merged)
    const shape = (json: LeakSummaryJson) =>
      json.entries.map((entry) => ({
        test: entry.test,
        file: entry.file,
        line: entry.line,
        index: entry.index,
        leaked: entry.report.leaked,
        heapOver: entry.report.metrics.heap.exceeded,
      }))
    expect(fromShards.leaks).toBe(unsharded.leaks)
    expect(shape(fromShards)).toEqual(shape(unsharded))
    expect(shape(unsharded).map((entry) => entry.test)).toContain('session > opens and closes')
  })
})
