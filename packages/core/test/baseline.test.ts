import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import {
  type BaselineFile,
  judgeBaseline,
  type RanTests,
  readBaseline,
  serializeBaseline,
  updateBaseline,
} from '../src/ci/baseline.js'
import { githubAnnotations } from '../src/ci/github.js'
import { runCli } from '../src/cli/main.js'
import { measureLeak } from '../src/index.js'
import type { LeakReport } from '../src/report.js'
import { summaryJson } from '../src/summary.js'

// The rules of the baseline on real reports: a leak of ~580 B/call and a clean function, measured once on default
// options, then copied with the figures a scenario needs. The e2e suites run the same rules through Vitest and Jest.
const retained: unknown[] = []
const sync = (report: LeakReport | Promise<LeakReport>) => {
  if (report instanceof Promise) throw new Error('expected a synchronous measurement')
  return report
}
const leak = sync(measureLeak(() => retained.push(new Array(64).fill(0)), { diagnose: false }))
retained.length = 0
const clean = sync(measureLeak(() => [1, 2, 3].length))
/** The leak as if it had read `perCall` throughout: its figure and every pass's rate (or `passRates`, pass by pass). */
const withHeap = (perCall: number, passRates: number[] = leak.passes.map(() => perCall)): LeakReport => {
  const copy = structuredClone(leak)
  copy.metrics.heap.perCall = perCall
  copy.passes.forEach((pass, at) => {
    pass.rates.heap = passRates[at] ?? perCall
  })
  return copy
}

const dir = mkdtempSync(join(tmpdir(), 'leakproof-baseline-unit-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let written = 0
function baselineWith(file: BaselineFile): string {
  const target = join(dir, `baseline-${written++}.json`)
  writeFileSync(target, serializeBaseline(file))
  return target
}
const assertion = (test: string, index = 1) => ({ test, file: join(dir, 'test', 'cache.test.ts'), index })
const env = (path: string, extra: Record<string, string> = {}) => ({ LEAKPROOF_BASELINE: path, ...extra })

describe('judging a leak against its entry', () => {
  test('the measured leak is a real one', () => {
    expect(leak.leaked).toBe(true)
    expect(leak.metrics.heap.perCall).toBeGreaterThan(400)
    expect(clean.leaked).toBe(false)
  })

  const path = baselineWith({
    version: 1,
    leaks: { 'test/cache.test.ts': { 'cache > keeps': { '1': { heap: 600 } } } },
  })

  test('up to entry × 1.5 + budget is known and passes; past it is worse', () => {
    const budget = leak.metrics.heap.budget
    const at = (perCall: number) => judgeBaseline(withHeap(perCall), assertion('cache > keeps'), env(path), dir)
    expect(at(600 * 1.5 + budget)).toMatchObject({
      status: 'known',
      accepted: true,
      key: { file: 'test/cache.test.ts' },
    })
    expect(at(600 * 1.5 + budget + 1)).toMatchObject({ status: 'worse', accepted: false, worse: ['heap'] })
    expect(at(600 * 1.5 + budget + 1)?.allowed?.heap).toBeCloseTo(900 + budget)
  })

  test('a figure over the allowance is not worse while a pass read the known rate (a step lifted the figure)', () => {
    expect(leak.passes.length).toBeGreaterThanOrEqual(2)
    const budget = leak.metrics.heap.budget
    const judge = (report: LeakReport) => judgeBaseline(report, assertion('cache > keeps'), env(path), dir)
    // An array's store reallocated between or inside the windows: the figure reads 1,000, one pass its own 600.
    const stepped = leak.passes.map((_, at) => (at === 0 ? 600 : 1000))
    expect(judge(withHeap(1000, stepped))).toMatchObject({ status: 'known', accepted: true })
    const everyPassOver = leak.passes.map(() => 600 * 1.5 + budget + 1)
    expect(judge(withHeap(1000, everyPassOver))).toMatchObject({ status: 'worse', worse: ['heap'] })
    // A pass over the allowance does not make it worse while the figure is within it.
    expect(
      judge(
        withHeap(
          900,
          leak.passes.map(() => 2000),
        ),
      ),
    ).toMatchObject({ status: 'known' })
  })

  test('a metric the entry lacks is worse; a test without entry is new; a clean one is clean', () => {
    const listeners = withHeap(600)
    listeners.metrics.listeners = { ...listeners.metrics.listeners, perCall: 1, exceeded: true }
    expect(judgeBaseline(listeners, assertion('cache > keeps'), env(path), dir)).toMatchObject({
      status: 'worse',
      worse: ['listeners'],
    })
    expect(judgeBaseline(leak, assertion('cache > keeps', 2), env(path), dir)).toMatchObject({
      status: 'new',
      accepted: false,
    })
    expect(judgeBaseline(clean, assertion('cache > keeps'), env(path), dir)).toMatchObject({
      status: 'clean',
      known: { heap: 600 },
    })
  })

  test('updates: =1 accepts a new leak but not a worse one, =all accepts both; nobody to write them is an error', () => {
    const writer = { LEAKPROOF_BASELINE_WRITER: '1' }
    const ratchet = env(path, { LEAKPROOF_UPDATE: '1', ...writer })
    expect(judgeBaseline(leak, assertion('new one'), ratchet, dir)?.accepted).toBe(true)
    expect(judgeBaseline(withHeap(5000), assertion('cache > keeps'), ratchet, dir)?.accepted).toBe(false)
    const all = env(path, { LEAKPROOF_UPDATE: 'all', ...writer })
    expect(judgeBaseline(withHeap(5000), assertion('cache > keeps'), all, dir)?.accepted).toBe(true)
    expect(() => judgeBaseline(leak, assertion('x'), env(path, { LEAKPROOF_UPDATE: '1' }), dir)).toThrow(
      /no leakproof reporter runs in this test run/,
    )
    expect(() => judgeBaseline(leak, assertion('x'), env(path, { LEAKPROOF_UPDATE: 'yes' }), dir)).toThrow(
      /LEAKPROOF_UPDATE=yes is not a value it knows/,
    )
  })

  test('no file and no update: no baseline at all', () => {
    expect(judgeBaseline(leak, assertion('x'), env(join(dir, 'none.json')), dir)).toBeUndefined()
  })
})

describe('updating the file', () => {
  const previous: BaselineFile = {
    version: 1,
    leaks: {
      'a.test.ts': { kept: { '1': { heap: 600 } }, lowered: { '1': { heap: 600 } }, fixed: { '1': { heap: 300 } } },
      'b.test.ts': { skipped: { '1': { heap: 100 } }, failed: { '1': { heap: 100 } }, gone: { '2': { heap: 100 } } },
      'not-run.test.ts': { any: { '1': { heap: 100 } } },
    },
  }
  const path = baselineWith(previous)
  const judged = (report: LeakReport, test: string, file = 'a.test.ts', extra: Record<string, string> = {}) => {
    const copy = structuredClone(report)
    const match = judgeBaseline(
      copy,
      { test, file: join(dir, file), index: 1 },
      env(path, { LEAKPROOF_BASELINE_WRITER: '1', ...extra }),
      dir,
    )
    if (match) copy.baseline = match
    return copy
  }
  type Outcome = 'passed' | 'failed' | 'skipped'
  const outcomes = (entries: [string, Outcome][]) => new Map<string, Outcome>(entries)
  const ran: RanTests = new Map([
    [
      'a.test.ts',
      outcomes([
        ['kept', 'failed'],
        ['lowered', 'passed'],
        ['fixed', 'passed'],
        ['added', 'passed'],
      ]),
    ],
    [
      'b.test.ts',
      outcomes([
        ['skipped', 'skipped'],
        ['failed', 'failed'],
      ]),
    ],
  ])

  test('LEAKPROOF_UPDATE=1: adds, lowers, keeps a worse entry, removes only what ran clean or is gone', () => {
    const mode = { LEAKPROOF_UPDATE: '1' }
    const reports = [
      judged(withHeap(5000), 'kept', 'a.test.ts', mode),
      judged(withHeap(450), 'lowered', 'a.test.ts', mode),
      judged(clean, 'fixed', 'a.test.ts', mode),
      judged(withHeap(700), 'added', 'a.test.ts', mode),
    ]
    const update = updateBaseline(readBaseline(path), reports, ran, 'ratchet')
    expect(update.next.leaks['a.test.ts']).toEqual({
      kept: { '1': { heap: 600 } },
      lowered: { '1': { heap: 450 } },
      added: { '1': { heap: 700 } },
    })
    // Skipped and failed tests keep their entries, a test gone from a file that ran loses its, a file that did not
    // run is left alone.
    expect(update.next.leaks['b.test.ts']).toEqual({ skipped: { '1': { heap: 100 } }, failed: { '1': { heap: 100 } } })
    expect(update.next.leaks['not-run.test.ts']).toEqual(previous.leaks['not-run.test.ts'])
    expect(update.removed.map((change) => `${change.file} ${change.test} ${change.index}`)).toEqual([
      'a.test.ts fixed 1',
      'b.test.ts gone 2',
    ])
    expect(update.kept.map((change) => change.test)).toEqual(['kept'])
  })

  test('LEAKPROOF_UPDATE=all raises; without an update nothing changes and the stale entries are listed', () => {
    const raised = updateBaseline(
      readBaseline(path),
      [judged(withHeap(5000), 'kept', 'a.test.ts', { LEAKPROOF_UPDATE: 'all' })],
      ran,
      'all',
    )
    expect(raised.next.leaks['a.test.ts']?.kept).toEqual({ '1': { heap: 5000 } })
    expect(raised.raised.map((change) => change.test)).toEqual(['kept'])
    const off = updateBaseline(readBaseline(path), [judged(clean, 'fixed')], ran, 'off')
    expect(off.next.leaks).toEqual(previous.leaks)
    expect(off.removed.map((change) => change.test)).toEqual(['fixed', 'lowered', 'gone'])
  })

  test('the file: sorted keys, indexes in number order, one line per assertion, read back the same', () => {
    const text = serializeBaseline({
      version: 1,
      leaks: {
        'z.test.ts': { b: { '10': { heap: 1 }, '2': { heap: 2, listeners: 1 } } },
        'a.test.ts': { x: { '1': { external: 3 } } },
      },
    })
    expect(text).toBe(
      [
        '{',
        '  "version": 1,',
        '  "leaks": {',
        '    "a.test.ts": {',
        '      "x": {',
        '        "1": { "external": 3 }',
        '      }',
        '    },',
        '    "z.test.ts": {',
        '      "b": {',
        '        "2": { "heap": 2, "listeners": 1 },',
        '        "10": { "heap": 1 }',
        '      }',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    )
    const path = join(dir, 'roundtrip.json')
    writeFileSync(path, text)
    expect(serializeBaseline(readBaseline(path) as BaselineFile)).toBe(text)
  })

  test('a malformed file is an error that names it and says how to fix it', () => {
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ version: 1, leaks: { 'a.test.ts': { t: { first: { heap: 1 } } } } }))
    expect(() => readBaseline(bad)).toThrow(`${bad}: the entry for "a.test.ts" › "t" is malformed`)
    writeFileSync(bad, JSON.stringify({ version: 1, leaks: { 'a.test.ts': { t: { '1': { heap: -1 } } } } }))
    expect(() => readBaseline(bad)).toThrow(/run the tests with LEAKPROOF_UPDATE=1 to write it again/)
    writeFileSync(bad, JSON.stringify({ version: 1, tolerance: 'half', leaks: {} }))
    expect(() => readBaseline(bad)).toThrow(`${bad}: "tolerance" must be a number ≥ 0`)
  })
})

describe('annotations', () => {
  test('one ::error per failing leak, escaped, at the assertion, relative to GITHUB_WORKSPACE', () => {
    const report = structuredClone(leak)
    report.assertion = { test: 'a, b: c', file: join(dir, 'test', 'x.test.ts'), line: 7, index: 1 }
    const known = structuredClone(leak)
    known.baseline = { file: 'b', key: { file: 'x', test: 'k', index: 1 }, status: 'known', accepted: true }
    const lines = githubAnnotations(
      [
        { test: 'a, b: c 100%', file: 'test/x.test.ts', line: 7, report },
        { test: 'known', report: known },
        { test: 'clean', report: clean },
      ],
      { GITHUB_WORKSPACE: dir },
      '/elsewhere',
    )
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(
      /^::error file=test\/x\.test\.ts,line=7,title=leakproof%3A a%2C b%3A c 100%25 leaks::heap \d+ B\/call > budget/,
    )
    expect(lines[0]).not.toContain('\n')
  })
})

describe('the leakproof command', () => {
  const io = () => {
    const out = { stdout: '', stderr: '' }
    return {
      out,
      io: {
        stdout: (text: string) => {
          out.stdout += text
        },
        stderr: (text: string) => {
          out.stderr += text
        },
        cwd: dir,
        env: {},
      },
    }
  }

  test('no command, an unknown one, or a bad option: usage on stderr, exit 2', async () => {
    for (const argv of [[], ['frob'], ['summary', 'x.json', '--colour']]) {
      const { out, io: streams } = io()
      expect(await runCli(argv, streams)).toBe(2)
      expect(out.stderr).toMatch(/Usage: leakproof/)
    }
  })

  test('merge refuses one assertion in two files, and summary prints a merged file', async () => {
    const part = join(dir, 'part.json')
    writeFileSync(
      part,
      JSON.stringify(summaryJson([{ test: 't', file: 'a.test.ts', line: 3, index: 1, report: leak }])),
    )
    const twice = io()
    expect(await runCli(['merge', part, part, '--out', join(dir, 'm.json')], twice.io)).toBe(2)
    expect(twice.out.stderr).toContain('"t" (a.test.ts, assertion 1) is also in')
    const once = io()
    expect(await runCli(['merge', part, '--out', 'm.json'], once.io)).toBe(1)
    const printed = io()
    expect(await runCli(['summary', 'm.json', '--format', 'text'], printed.io)).toBe(0)
    expect(printed.out.stdout).toMatch(/^t\s+heap\s+\d+ B\/call\s+0\.25 B\/call\s+LEAK\s/m)
  })
})
