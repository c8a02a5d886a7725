import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import {
  BASELINE_ENV,
  BASELINE_FILE,
  BASELINE_WRITER_ENV,
  baselineFileKey,
  compareEntries,
  finishLeakRun,
  type LeakSummaryEntry,
  type RanTests,
  updateMode,
} from '@leakproof/core'
import { formatAddress, REPORT_DIR_ENV, type ReportRecord, takeAllRecords, takeRecords } from './channel.js'

export interface LeakproofReporterOptions {
  /**
   * Write every assertion with its full report as JSON to this file (relative to Jest's rootDir). Under `--shard`
   * each shard writes its own, `leaks.json` becoming `leaks.shard-1-of-3.json`: join them with `leakproof merge`.
   */
  outputFile?: string
  /** Write the HTML report (the page of `leakproof report`) to this path, relative to the project root. */
  htmlFile?: string
  /**
   * The known-leaks baseline, relative to rootDir. Default `leakproof-baseline.json` (or the `LEAKPROOF_BASELINE`
   * environment variable). Known leaks in it pass; `LEAKPROOF_UPDATE=1` writes it.
   */
  baseline?: string
  /** Append a Markdown table to the file named by `$GITHUB_STEP_SUMMARY` when it is set. Default true. */
  githubSummary?: boolean
  /** Print the table at the end of the run. Default true. */
  printTable?: boolean
  /** Print it even when no leak assertion ran. Default false. */
  printEmpty?: boolean
}

/** The fields of Jest's objects that the reporter reads (Jest 29 and 30 agree on them). */
interface GlobalConfigLike {
  rootDir: string
  shard?: { shardIndex: number; shardCount: number } | null
}
interface AssertionResultLike {
  ancestorTitles: string[]
  title: string
  fullName: string
  status: string
}
interface TestResultLike {
  testFilePath: string
  testResults: AssertionResultLike[]
}

const NO_TEST = '(outside a test)'

/**
 * Jest reporter: `reporters: ['default', '@leakproof/jest/reporter']`, or with options
 * `['@leakproof/jest/reporter', { outputFile: 'leakproof.json' }]`. Prints one row per metric of every `toLeak`
 * at the end of the run. Reports arrive from the workers through files in a temporary folder (see channel.ts).
 */
export default class LeakproofReporter {
  readonly #rootDir: string
  readonly #shard: GlobalConfigLike['shard']
  readonly #baseline: string
  readonly #options: LeakproofReporterOptions
  readonly #ran: RanTests = new Map()
  #dir: string | undefined
  #previousAddress: string | undefined
  #entries: LeakSummaryEntry[] = []
  #error: Error | undefined

  constructor(globalConfig: GlobalConfigLike, options: LeakproofReporterOptions = {}) {
    this.#rootDir = globalConfig.rootDir
    this.#shard = globalConfig.shard
    this.#options = options ?? {}
    // A typo in LEAKPROOF_UPDATE fails the run before any test, not in every test.
    updateMode(process.env)
    this.#baseline = resolve(this.#rootDir, this.#options.baseline ?? process.env[BASELINE_ENV] ?? BASELINE_FILE)
    // Workers start after this and inherit both: the matcher reads the baseline, and knows an update gets written.
    process.env[BASELINE_ENV] = this.#baseline
    process.env[BASELINE_WRITER_ENV] = String(process.pid)
  }

  onRunStart(): void {
    this.#entries = []
    this.#ran.clear()
    this.#dir = mkdtempSync(resolve(tmpdir(), 'leakproof-jest-'))
    this.#previousAddress = process.env[REPORT_DIR_ENV]
    // Workers are started after this and inherit the variable; in band, the test environment copies it.
    process.env[REPORT_DIR_ENV] = formatAddress({ ownerPid: process.pid, dir: this.#dir })
  }

  onTestFileResult(_test: unknown, testResult: TestResultLike): void {
    const tests = new Map<string, 'passed' | 'failed' | 'skipped'>()
    for (const result of testResult.testResults) {
      const status = result.status
      tests.set(result.fullName, status === 'passed' || status === 'failed' ? status : 'skipped')
    }
    this.#ran.set(baselineFileKey(this.#baseline, testResult.testFilePath), tests)
    if (!this.#dir) return
    this.#collect(takeRecords(this.#dir, testResult.testFilePath), testResult)
  }

  onRunComplete(): void {
    if (!this.#dir) return
    this.#collect(takeAllRecords(this.#dir), undefined)
    rmSync(this.#dir, { recursive: true, force: true })
    this.#dir = undefined
    if (this.#previousAddress === undefined) delete process.env[REPORT_DIR_ENV]
    else process.env[REPORT_DIR_ENV] = this.#previousAddress

    const entries = this.#entries.sort(compareEntries)
    try {
      const { outputFile, htmlFile } = this.#options
      finishLeakRun({
        entries,
        ran: this.#ran,
        baseline: this.#baseline,
        ...(outputFile ? { outputFile: this.#shardFile(resolve(this.#rootDir, outputFile)) } : {}),
        ...(htmlFile ? { htmlFile: this.#shardFile(resolve(this.#rootDir, htmlFile)) } : {}),
        githubSummary: this.#options.githubSummary ?? true,
        printTable: this.#options.printTable ?? true,
        printEmpty: this.#options.printEmpty ?? false,
        env: process.env,
        cwd: this.#rootDir,
        log: (text) => process.stderr.write(`${text}\n`),
      })
    } catch (error) {
      this.#error = error instanceof Error ? error : new Error(String(error))
    }
  }

  /** An error while writing the JSON or Markdown file fails the run. */
  getLastError(): Error | undefined {
    return this.#error
  }

  /** `leaks.json` → `leaks.shard-2-of-3.json` (and `.html` alike) under `--shard`: the shards' files sit side by side. */
  #shardFile(path: string): string {
    const shard = this.#shard
    if (!shard || shard.shardCount <= 1) return path
    const suffix = `.shard-${shard.shardIndex}-of-${shard.shardCount}`
    const extension = /\.(json|html)$/i.exec(path)?.[0]
    return extension ? `${path.slice(0, -extension.length)}${suffix}${extension}` : `${path}${suffix}`
  }

  #collect(records: ReportRecord[], testResult: TestResultLike | undefined): void {
    for (const record of records) {
      const file = record.testPath ? this.#relative(record.testPath) : undefined
      const { line, index } = record.report.assertion ?? {}
      this.#entries.push({
        test: displayName(record.testName, testResult),
        ...(file === undefined ? {} : { file }),
        ...(line === undefined ? {} : { line }),
        ...(index === undefined ? {} : { index }),
        report: record.report,
      })
    }
  }

  #relative(path: string): string {
    const fromRoot = relative(this.#rootDir, path)
    return (isAbsolute(fromRoot) || fromRoot.startsWith('..') ? path : fromRoot).split(sep).join('/')
  }
}

/** "cache › does not leak" from Jest's space-joined name, using the titles of the test's result. */
function displayName(testName: string | undefined, testResult: TestResultLike | undefined): string {
  if (testName === undefined) return NO_TEST
  const match = testResult?.testResults.find((result) => result.fullName === testName)
  return match ? [...match.ancestorTitles, match.title].join(' › ') : testName
}

export { LeakproofReporter }
