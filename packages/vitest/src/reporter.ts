import { relative, resolve } from 'node:path'
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
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { leakReportsOf } from './meta.js'

export interface LeakproofReporterOptions {
  /** Write the JSON summary (every assertion with its full report) to this path, relative to the project root. */
  outputFile?: string
  /** Write the HTML report (the page of `leakproof report`) to this path, relative to the project root. */
  htmlFile?: string
  /**
   * The known-leaks baseline, relative to the project root. Default `leakproof-baseline.json` (or the
   * `LEAKPROOF_BASELINE` environment variable). Known leaks in it pass; `LEAKPROOF_UPDATE=1` writes it.
   */
  baseline?: string
  /**
   * Append the Markdown table to `$GITHUB_STEP_SUMMARY` when that variable is set (GitHub Actions).
   * Default true.
   */
  githubSummary?: boolean
  /** Print the table at the end of the run. Default true. */
  printTable?: boolean
  /** Print the table even when no leak assertion ran. Default false. */
  printEmpty?: boolean
}

/**
 * A Vitest reporter that collects every leak assertion (from `testCase.meta().leakproof`) and, at the end of the run,
 * prints one table, settles the known-leaks baseline, writes JSON to `outputFile`, emits `::error` annotations under
 * GitHub Actions and appends Markdown to `$GITHUB_STEP_SUMMARY`. Add it next to the default reporter:
 * `reporters: ['default', ['@leakproof/vitest/reporter', { outputFile: 'leaks.json' }]]`. It works the same after
 * `vitest --merge-reports` (the reports travel in the test's meta, which the blob reporter keeps).
 */
export default class LeakproofReporter implements Reporter {
  private readonly options: LeakproofReporterOptions
  private vitest: Vitest | undefined
  private baseline = ''

  constructor(options: LeakproofReporterOptions = {}) {
    this.options = options
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest
    // A typo in LEAKPROOF_UPDATE fails the run before any test, not in every test.
    updateMode(process.env)
    const root = vitest.config.root
    this.baseline = resolve(root, this.options.baseline ?? process.env[BASELINE_ENV] ?? BASELINE_FILE)
    // The workers inherit both: the matcher reads the baseline from there, and knows the update will be written.
    process.env[BASELINE_ENV] = this.baseline
    process.env[BASELINE_WRITER_ENV] = String(process.pid)
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const root = this.vitest?.config.root ?? process.cwd()
    const baseline = this.baseline || resolve(root, BASELINE_FILE)
    const log = (text: string) => (this.vitest ? this.vitest.logger.log(text) : process.stdout.write(`${text}\n`))
    finishLeakRun({
      entries: collectLeakEntries(testModules, root),
      ran: ranTests(testModules, baseline),
      baseline,
      ...(this.options.outputFile ? { outputFile: resolve(root, this.options.outputFile) } : {}),
      ...(this.options.htmlFile ? { htmlFile: resolve(root, this.options.htmlFile) } : {}),
      githubSummary: this.options.githubSummary ?? true,
      printTable: this.options.printTable ?? true,
      printEmpty: this.options.printEmpty ?? false,
      env: process.env,
      cwd: root,
      log,
    })
  }
}

/**
 * Every leak assertion of a run, by file, then line (the same order for one run and for its shards merged with
 * `--merge-reports`).
 */
export function collectLeakEntries(testModules: ReadonlyArray<TestModule>, root: string): LeakSummaryEntry[] {
  const entries: LeakSummaryEntry[] = []
  for (const testModule of testModules) {
    const file = relative(root, testModule.moduleId).replaceAll('\\', '/')
    for (const testCase of testModule.children.allTests()) {
      for (const report of leakReportsOf(testCase.meta())) {
        const { line, index } = report.assertion ?? {}
        entries.push({
          test: testCase.fullName,
          file,
          ...(line === undefined ? {} : { line }),
          ...(index === undefined ? {} : { index }),
          report,
        })
      }
    }
  }
  return entries.sort(compareEntries)
}

/** How each test of each module ended, keyed as the baseline keys them. */
function ranTests(testModules: ReadonlyArray<TestModule>, baseline: string): RanTests {
  const ran: RanTests = new Map()
  for (const testModule of testModules) {
    const tests = new Map<string, 'passed' | 'failed' | 'skipped'>()
    for (const testCase of testModule.children.allTests()) {
      const state = testCase.result().state
      tests.set(testCase.fullName, state === 'passed' || state === 'failed' ? state : 'skipped')
    }
    ran.set(baselineFileKey(baseline, testModule.moduleId), tests)
  }
  return ran
}

export { LeakproofReporter }
