// The reporter and the file channel, driven the way Jest drives them (the real CLI runs are in test/jest-e2e).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LeakReport, measureLeak } from '@leakproof/core'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { addressForThisProcess, parseAddress, REPORT_DIR_ENV, takeRecords, writeRecord } from '../src/channel.js'
import LeakproofReporter from '../src/reporter.js'

// Real measurements on default options: a clean function, and a leak of ~580 B/call. Each is measured once and
// shared by the tests (the reporter, not the engine, is under test here).
let retained: unknown[] = []
let clean: LeakReport | undefined
let leaky: LeakReport | undefined
/** These functions leave no timers behind, so the measurement stays synchronous. */
function syncReport(report: LeakReport | Promise<LeakReport>): LeakReport {
  if (report instanceof Promise) throw new Error('expected a synchronous measurement')
  return report
}
const cleanReport = (): LeakReport => {
  clean ??= syncReport(measureLeak(() => [1, 2, 3].length))
  return clean
}
const leakyReport = (): LeakReport => {
  leaky ??= syncReport(measureLeak(() => retained.push(new Array(64).fill(0))))
  return leaky
}

let rootDir: string
beforeEach(() => {
  rootDir = mkdtempSync(join(tmpdir(), 'leakproof-jest-unit-'))
})
afterEach(() => {
  rmSync(rootDir, { recursive: true, force: true })
  retained = []
})

describe('channel', () => {
  test('records written for a test file are read back once, in order', () => {
    const report = cleanReport()
    const file = join(rootDir, 'a.test.js')
    writeRecord(rootDir, { testName: 'first', testPath: file, report })
    writeRecord(rootDir, { testName: 'second', testPath: file, report })
    writeRecord(rootDir, { testName: 'other', testPath: join(rootDir, 'b.test.js'), report })
    expect(takeRecords(rootDir, file).map((record) => record.testName)).toEqual(['first', 'second'])
    expect(takeRecords(rootDir, file)).toEqual([])
    expect(takeRecords(rootDir, join(rootDir, 'b.test.js'))).toHaveLength(1)
  })

  test('only this Jest process or its workers write: a Jest started by a test does not', () => {
    const env = { [REPORT_DIR_ENV]: '1234:/tmp/run' }
    expect(addressForThisProcess(env, 1234, 1)).toEqual({ ownerPid: 1234, dir: '/tmp/run' })
    expect(addressForThisProcess(env, 99, 1234)).toEqual({ ownerPid: 1234, dir: '/tmp/run' })
    expect(addressForThisProcess(env, 99, 98)).toBeUndefined()
    expect(addressForThisProcess({}, 1234, 1)).toBeUndefined()
    expect(parseAddress('no pid')).toBeUndefined()
  })
})

describe('LeakproofReporter', () => {
  test('collects reports per test file and writes the table, JSON and Markdown at the end', () => {
    const stepSummary = join(rootDir, 'summary.md')
    const previousSummary = process.env.GITHUB_STEP_SUMMARY
    process.env.GITHUB_STEP_SUMMARY = stepSummary
    const written: string[] = []
    const write = process.stderr.write
    process.stderr.write = ((chunk: string) => {
      written.push(String(chunk))
      return true
    }) as typeof process.stderr.write
    try {
      const reporter = new LeakproofReporter({ rootDir }, { outputFile: 'out/leaks.json' })
      reporter.onRunStart()
      const address = addressForThisProcess(process.env, process.pid, undefined)
      expect(address).toBeDefined()
      const testPath = join(rootDir, 'src', 'cache.test.js')
      writeRecord(address?.dir as string, { testName: 'cache does not leak', testPath, report: cleanReport() })
      writeRecord(address?.dir as string, { testName: 'cache v1 leaks', testPath, report: leakyReport() })
      reporter.onTestFileResult(undefined, {
        testFilePath: testPath,
        testResults: [
          { ancestorTitles: ['cache'], title: 'does not leak', fullName: 'cache does not leak', status: 'passed' },
          { ancestorTitles: ['cache', 'v1'], title: 'leaks', fullName: 'cache v1 leaks', status: 'failed' },
        ],
      })
      reporter.onRunComplete()
      expect(process.env[REPORT_DIR_ENV]).toBeUndefined()
      expect(reporter.getLastError()).toBeUndefined()

      const table = written.join('')
      expect(table).toContain('leakproof: 2 leak assertions, 1 leaking')
      expect(table).toMatch(/^cache › does not leak\s+heap\s.*\sok\s/m)
      expect(table).toMatch(/^cache › v1 › leaks\s+heap\s.*\sLEAK\s/m)

      const json = JSON.parse(readFileSync(join(rootDir, 'out', 'leaks.json'), 'utf8'))
      expect(json.leaks).toBe(1)
      expect(json.entries.map((entry: { test: string; file: string }) => [entry.test, entry.file])).toEqual([
        ['cache › does not leak', 'src/cache.test.js'],
        ['cache › v1 › leaks', 'src/cache.test.js'],
      ])
      expect(readFileSync(stepSummary, 'utf8')).toMatch(
        /^\| cache › v1 › leaks \| src\/cache.test.js \| heap \| .* \| LEAK \|/m,
      )
    } finally {
      process.stderr.write = write
      if (previousSummary === undefined) delete process.env.GITHUB_STEP_SUMMARY
      else process.env.GITHUB_STEP_SUMMARY = previousSummary
    }
  })
})
