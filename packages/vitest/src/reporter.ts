import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { type LeakSummaryEntry, renderSummaryMarkdown, renderSummaryTable, summaryJson } from '@leakproof/core'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { leakReportsOf } from './meta.js'

export interface LeakproofReporterOptions {
  /** Write the JSON summary (every assertion with its full report) to this path, relative to the project root. */
  outputFile?: string
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
 * prints one table, writes JSON to `outputFile` and appends Markdown to `$GITHUB_STEP_SUMMARY`. Add it next to the
 * default reporter: `reporters: ['default', ['@leakproof/vitest/reporter', { outputFile: 'leaks.json' }]]`.
 */
export default class LeakproofReporter implements Reporter {
  private readonly options: LeakproofReporterOptions
  private vitest: Vitest | undefined

  constructor(options: LeakproofReporterOptions = {}) {
    this.options = options
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const root = this.vitest?.config.root ?? process.cwd()
    const entries = collectLeakEntries(testModules, root)
    const { outputFile, githubSummary = true, printTable = true, printEmpty = false } = this.options
    if (printTable && (entries.length > 0 || printEmpty)) {
      const text = `\n${renderSummaryTable(entries)}\n`
      if (this.vitest) this.vitest.logger.log(text)
      else process.stdout.write(`${text}\n`)
    }
    if (outputFile) {
      const path = resolve(root, outputFile)
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, `${JSON.stringify(summaryJson(entries), null, 2)}\n`)
    }
    const stepSummary = process.env.GITHUB_STEP_SUMMARY
    if (githubSummary && stepSummary && entries.length > 0) {
      appendFileSync(stepSummary, renderSummaryMarkdown(entries))
    }
  }
}

/** Every leak assertion of a run, in file and test order. */
export function collectLeakEntries(testModules: ReadonlyArray<TestModule>, root: string): LeakSummaryEntry[] {
  const entries: LeakSummaryEntry[] = []
  for (const testModule of testModules) {
    const file = relative(root, testModule.moduleId).replaceAll('\\', '/')
    for (const testCase of testModule.children.allTests()) {
      for (const report of leakReportsOf(testCase.meta())) {
        entries.push({ test: testCase.fullName, file, report })
      }
    }
  }
  return entries
}

export { LeakproofReporter }
