import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LeakSummaryJson } from '@leakproof/core'
import { beforeAll, describe, expect, test } from 'vitest'
import { expectStatus, type FixtureRun, fixturesDir, normalizeMessage, runFixture } from './run-fixture.ts'

const stepSummary = join(mkdtempSync(join(tmpdir(), 'leakproof-e2e-')), 'step-summary.md')
let run: FixtureRun

beforeAll(async () => {
  run = await runFixture('matchers', { env: { GITHUB_STEP_SUMMARY: stepSummary } })
})

describe('toLeak on the real Vitest CLI', () => {
  test('the run fails because some tests leak', () => {
    expect(run.exitCode, run.output).toBe(1)
  })

  test('a leaking sync fn fails .not.toLeak with figures', () => {
    const result = expectStatus(run, 'sync leaking fn fails .not.toLeak', 'failed')
    expect(result.failureMessages[0]).toMatch(/Expected fn not to leak, but it does: heap \d+(\.\d+)? B\/call > budget/)
    expect(normalizeMessage(result.failureMessages[0] ?? '')).toMatchSnapshot()
  })

  test('a leaking async fn fails .not.toLeak with figures', () => {
    const result = expectStatus(run, 'async leaking async fn fails .not.toLeak', 'failed')
    expect(result.failureMessages[0]).toContain('async, event loop turned between batches')
    expect(normalizeMessage(result.failureMessages[0] ?? '')).toMatchSnapshot()
  })

  test('clean sync and async fns pass .not.toLeak', () => {
    expectStatus(run, 'sync clean fn passes .not.toLeak', 'passed')
    expectStatus(run, 'async clean async fn passes .not.toLeak', 'passed')
  })

  test('the positive form passes on a leak and says "did not leak" on a clean fn', () => {
    expectStatus(run, 'sync leaking fn passes toLeak', 'passed')
    const result = expectStatus(run, 'sync clean fn fails toLeak', 'failed')
    expect(normalizeMessage(result.failureMessages[0] ?? '')).toMatchSnapshot()
  })

  test('a wrong option fails and names the key', () => {
    const result = expectStatus(run, 'sync a wrong option fails with the key named', 'failed')
    expect(result.failureMessages[0]).toContain('leakproof: unknown option batchez.')
  })
})

describe('the leakproof reporter', () => {
  test('prints one table of every leak assertion at the end of the run', () => {
    const start = run.output.indexOf('leakproof: 6 leak assertions, 3 leaking')
    expect(start, run.output).toBeGreaterThanOrEqual(0)
    const lines = run.output.slice(start).split('\n')
    const table = lines.slice(0, lines.indexOf('', 1))
    expect(table[1]).toMatch(/^test\s+metric\s+per call\s+budget\s+verdict\s+time$/)
    const heapRows = table.filter((line) => /\sheap\s/.test(line))
    expect(heapRows.filter((line) => /\sLEAK\s/.test(line))).toHaveLength(3)
    expect(heapRows.filter((line) => /\sok\s/.test(line))).toHaveLength(3)
    expect(heapRows.find((line) => line.startsWith('sync > leaking fn fails .not.toLeak'))).toMatch(/ B\/call .* LEAK /)
  })

  test('writes the JSON summary to outputFile', () => {
    const summary = JSON.parse(readFileSync(join(run.resultsDir, 'leaks.json'), 'utf8')) as LeakSummaryJson
    expect(summary.version).toBe(1)
    expect(summary.leaks).toBe(3)
    const byTest = Object.fromEntries(summary.entries.map((entry) => [entry.test, entry]))
    expect(Object.keys(byTest).sort()).toEqual([
      'async > clean async fn passes .not.toLeak',
      'async > leaking async fn fails .not.toLeak',
      'sync > clean fn fails toLeak',
      'sync > clean fn passes .not.toLeak',
      'sync > leaking fn fails .not.toLeak',
      'sync > leaking fn passes toLeak',
    ])
    expect(byTest['sync > leaking fn fails .not.toLeak']?.file).toBe('sync.test.ts')
    expect(byTest['sync > leaking fn fails .not.toLeak']?.report.leaked).toBe(true)
    expect(byTest['async > leaking async fn fails .not.toLeak']?.report.mode).toBe('async')
    expect(byTest['sync > clean fn passes .not.toLeak']?.report.leaked).toBe(false)
    expect(summary.rows.filter((row) => row.metric === 'heap')).toHaveLength(6)
  })

  test('writes the HTML report to htmlFile', () => {
    const html = readFileSync(join(run.resultsDir, 'leaks.html'), 'utf8')
    expect(html).toMatch(/^<!doctype html>/i)
    expect(html).toContain('sync &gt; leaking fn fails .not.toLeak')
    expect(html).toContain('<svg')
  })

  test('appends the Markdown table to $GITHUB_STEP_SUMMARY', () => {
    const markdown = readFileSync(stepSummary, 'utf8')
    expect(markdown).toContain('### leakproof')
    expect(markdown).toContain('6 leak assertions, 3 leaking.')
    expect(markdown).toContain('| test | file | metric | per call | budget | verdict | time |')
    // The assertion's file and line, as the test's source has them (TypeScript, source-mapped).
    const line = readFileSync(join(fixturesDir, 'matchers', 'sync.test.ts'), 'utf8')
      .split('\n')
      .findIndex((text) => text.includes('expect(leakObject).not.toLeak()'))
    expect(markdown).toMatch(
      new RegExp(`^\\| sync > leaking fn fails \\.not\\.toLeak \\| sync\\.test\\.ts:${line + 1} \\| heap \\|`, 'm'),
    )
  })
})

test('a run of clean tests only exits 0', async () => {
  const clean = await runFixture('matchers', { args: ['sync.test.ts', '-t', 'clean fn passes'] })
  expect(clean.exitCode, clean.output).toBe(0)
  expectStatus(clean, 'sync clean fn passes .not.toLeak', 'passed')
  expect(clean.output).toContain('leakproof: 1 leak assertion, 0 leaking')
})
