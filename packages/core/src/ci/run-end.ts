import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { renderHtmlReport } from '../html/render.js'
import { type LeakSummaryEntry, renderSummaryMarkdown, renderSummaryTable, summaryJson } from '../summary.js'
import type { RanTests } from './baseline.js'
import { githubAnnotations } from './github.js'
import { settleBaseline } from './settle.js'

/** What a reporter hands over at the end of a run. */
export interface LeakRunEnd {
  /** Every leak assertion of the run, in file and test order. */
  entries: readonly LeakSummaryEntry[]
  /** How every test of every test file that ran ended (for the baseline's stale entries). */
  ran: RanTests
  /** The baseline file, absolute. */
  baseline: string
  /** Where to write the JSON summary, absolute. */
  outputFile?: string
  /** Where to write the HTML report (`leakproof report`'s page), absolute. */
  htmlFile?: string
  /** Append Markdown to `$GITHUB_STEP_SUMMARY` (default true). */
  githubSummary?: boolean
  printTable?: boolean
  printEmpty?: boolean
  env: Record<string, string | undefined>
  cwd: string
  /** The reporter's log (Vitest's logger, Jest's stderr). */
  log: (text: string) => void
  /** Where workflow commands go: standard output, which GitHub Actions reads. */
  annotate?: (line: string) => void
}

/**
 * The end of a run, shared by the Vitest and Jest reporters: the table, the baseline (written under
 * `LEAKPROOF_UPDATE`, stale entries listed otherwise), `::error` annotations under `GITHUB_ACTIONS=true`, the JSON
 * file, the HTML report and the job summary.
 */
export function finishLeakRun(run: LeakRunEnd): void {
  const { entries, env } = run
  const { githubSummary = true, printTable = true, printEmpty = false } = run
  const printed: string[] = []
  if (printTable && (entries.length > 0 || printEmpty)) printed.push(renderSummaryTable(entries))
  printed.push(
    ...settleBaseline(
      run.baseline,
      entries.map((entry) => entry.report),
      run.ran,
      env,
      run.cwd,
    ),
  )
  if (printed.length > 0) run.log(`\n${printed.join('\n')}\n`)
  if (env.GITHUB_ACTIONS === 'true') {
    const annotate = run.annotate ?? ((line: string) => process.stdout.write(`${line}\n`))
    for (const line of githubAnnotations(entries, env, run.cwd)) annotate(line)
  }
  const json = summaryJson(entries)
  if (run.outputFile) {
    mkdirSync(dirname(run.outputFile), { recursive: true })
    writeFileSync(run.outputFile, `${JSON.stringify(json, null, 2)}\n`)
  }
  if (run.htmlFile) {
    mkdirSync(dirname(run.htmlFile), { recursive: true })
    writeFileSync(run.htmlFile, renderHtmlReport(json))
  }
  const stepSummary = env.GITHUB_STEP_SUMMARY
  if (githubSummary && stepSummary && entries.length > 0) appendFileSync(stepSummary, renderSummaryMarkdown(entries))
}
