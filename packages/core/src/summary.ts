import { formatCount, formatPerCall } from './format.js'
import type { LeakReport, MetricName } from './report.js'
import { METRIC_NAMES } from './report.js'

/** One leak assertion, as a reporter collects it at the end of a run. */
export interface LeakSummaryEntry {
  /** Full test name, for example "cache › does not leak". */
  test: string
  /** Test file, relative to the project root when known. */
  file?: string
  report: LeakReport
}

/** One row of the end-of-run table: one metric of one assertion. */
export interface LeakSummaryRow {
  test: string
  file?: string
  metric: MetricName
  perCall: number
  budget: number
  unit: 'B' | 'count'
  verdict: 'leak' | 'ok'
  durationMs: number
}

/** Flattens entries to rows, one per measured metric. */
export function summaryRows(entries: readonly LeakSummaryEntry[]): LeakSummaryRow[] {
  const rows: LeakSummaryRow[] = []
  for (const { test, file, report } of entries) {
    for (const metric of METRIC_NAMES) {
      const result = report.metrics[metric]
      if (!result.measured) continue
      rows.push({
        test,
        ...(file === undefined ? {} : { file }),
        metric,
        perCall: result.perCall,
        budget: result.budget,
        unit: result.unit,
        verdict: result.exceeded ? 'leak' : 'ok',
        durationMs: report.durationMs,
      })
    }
  }
  return rows
}

const HEADER = ['test', 'metric', 'per call', 'budget', 'verdict', 'time'] as const

function cells(row: LeakSummaryRow): string[] {
  return [
    row.test,
    row.metric,
    formatPerCall(row.perCall, row.metric),
    formatPerCall(row.budget, row.metric),
    row.verdict === 'leak' ? 'LEAK' : 'ok',
    `${formatCount(row.durationMs)} ms`,
  ]
}

/** A plain-text table of every leak assertion, for the end of a test run. */
export function renderSummaryTable(entries: readonly LeakSummaryEntry[]): string {
  const rows = summaryRows(entries).map(cells)
  if (rows.length === 0) return 'leakproof: no leak assertions ran.'
  const table = [[...HEADER], ...rows]
  const widths = HEADER.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)))
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        column === 2 || column === 3 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd()
  const leaks = entries.filter((entry) => entry.report.leaked).length
  return [
    `leakproof: ${entries.length} leak assertion${entries.length === 1 ? '' : 's'}, ${leaks} leaking`,
    line(table[0] as string[]),
    ...rows.map(line),
  ].join('\n')
}

const escapeMarkdown = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

/** The same table in GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY`. */
export function renderSummaryMarkdown(entries: readonly LeakSummaryEntry[]): string {
  const rows = summaryRows(entries).map(cells)
  const leaks = entries.filter((entry) => entry.report.leaked).length
  const lines = [
    '### leakproof',
    '',
    `${entries.length} leak assertion${entries.length === 1 ? '' : 's'}, ${leaks} leaking.`,
    '',
  ]
  if (rows.length > 0) {
    lines.push(`| ${HEADER.join(' | ')} |`, '| --- | --- | ---: | ---: | --- | ---: |')
    for (const row of rows) lines.push(`| ${row.map(escapeMarkdown).join(' | ')} |`)
  }
  return `${lines.join('\n')}\n`
}

/** The JSON document reporters write: every entry with its full report. */
export interface LeakSummaryJson {
  version: 1
  leaks: number
  entries: LeakSummaryEntry[]
  rows: LeakSummaryRow[]
}

export function summaryJson(entries: readonly LeakSummaryEntry[]): LeakSummaryJson {
  return {
    version: 1,
    leaks: entries.filter((entry) => entry.report.leaked).length,
    entries: [...entries],
    rows: summaryRows(entries),
  }
}
