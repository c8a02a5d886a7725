import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import { type LeakSummaryEntry, renderSummaryMarkdown, renderSummaryTable, summaryJson } from '@leakproof/core'
import { formatAddress, REPORT_DIR_ENV, type ReportRecord, takeAllRecords, takeRecords } from './channel.js'

export interface LeakproofReporterOptions {
  /** Write every assertion with its full report as JSON to this file (relative to Jest's rootDir). */
  outputFile?: string
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
}
interface AssertionResultLike {
  ancestorTitles: string[]
  title: string
  fullName: string
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
  readonly #options: LeakproofReporterOptions
  #dir: string | undefined
  #previousAddress: string | undefined
  #entries: LeakSummaryEntry[] = []
  #error: Error | undefined

  constructor(globalConfig: GlobalConfigLike, options: LeakproofReporterOptions = {}) {
    this.#rootDir = globalConfig.rootDir
    this.#options = options ?? {}
  }

  onRunStart(): void {
    this.#entries = []
    this.#dir = mkdtempSync(resolve(tmpdir(), 'leakproof-jest-'))
    this.#previousAddress = process.env[REPORT_DIR_ENV]
    // Workers are started after this and inherit the variable; in band, the test environment copies it.
    process.env[REPORT_DIR_ENV] = formatAddress({ ownerPid: process.pid, dir: this.#dir })
  }

  onTestFileResult(_test: unknown, testResult: TestResultLike): void {
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

    const entries = this.#entries.sort((a, b) => (a.file ?? '').localeCompare(b.file ?? ''))
    const { printTable = true, printEmpty = false } = this.#options
    if (printTable && (entries.length > 0 || printEmpty)) process.stderr.write(`\n${renderSummaryTable(entries)}\n\n`)
    try {
      if (this.#options.outputFile) {
        const path = resolve(this.#rootDir, this.#options.outputFile)
        mkdirSync(dirname(path), { recursive: true })
        writeFileSync(path, `${JSON.stringify(summaryJson(entries), null, 2)}\n`)
      }
      const summaryFile = process.env.GITHUB_STEP_SUMMARY
      if (summaryFile && this.#options.githubSummary !== false && entries.length > 0) {
        appendFileSync(summaryFile, renderSummaryMarkdown(entries))
      }
    } catch (error) {
      this.#error = error instanceof Error ? error : new Error(String(error))
    }
  }

  /** An error while writing the JSON or Markdown file fails the run. */
  getLastError(): Error | undefined {
    return this.#error
  }

  #collect(records: ReportRecord[], testResult: TestResultLike | undefined): void {
    for (const record of records) {
      const file = record.testPath ? this.#relative(record.testPath) : undefined
      this.#entries.push({
        test: displayName(record.testName, testResult),
        ...(file === undefined ? {} : { file }),
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
