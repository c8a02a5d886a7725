import { formatCount, formatPerCall } from './format.js'
import type { LeakReport, MetricName } from './report.js'
import { METRIC_NAMES } from './report.js'

/** One leak assertion, as a reporter collects it at the end of a run. */
export interface LeakSummaryEntry {
  /** Full test name, for example "cache › does not leak". */
  test: string
  /** Test file, relative to the project root when known. */
  file?: string
  /** Line of the `toLeak` assertion in `file`, when the adapter found it on the stack. */
  line?: number
  /** Which `toLeak` of the test this is, from 1 (a test may assert more than once). */
  index?: number
  report: LeakReport
}

/**
 * The order of entries in every table and file: by test file, then line, then assertion index (so one run and its
 * shards merged read the same).
 */
export function compareEntries(a: LeakSummaryEntry, b: LeakSummaryEntry): number {
  return (
    (a.file ?? '').localeCompare(b.file ?? '') ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.index ?? 1) - (b.index ?? 1) ||
    a.test.localeCompare(b.test)
  )
}

/**
 * What one assertion's result means for the run: `leak` fails it, `known` is a leak accepted by the baseline (no
 * worse than its entry), `clean` did not leak.
 */
export type EntryVerdict = 'leak' | 'known' | 'clean'

export function entryVerdict(entry: Pick<LeakSummaryEntry, 'report'>): EntryVerdict {
  if (!entry.report.leaked) return 'clean'
  return entry.report.baseline?.accepted ? 'known' : 'leak'
}

/** One row of the end-of-run table: one metric of one assertion. */
export interface LeakSummaryRow {
  test: string
  file?: string
  metric: MetricName
  perCall: number
  budget: number
  unit: 'B' | 'count'
  /** `known`: over budget, but accepted by the baseline. */
  verdict: 'leak' | 'known' | 'ok'
  /** For a failing leak with a baseline in effect: `new` (no entry) or `worse` (grown past its entry). */
  baseline?: 'new' | 'worse'
  durationMs: number
}

/** Flattens entries to rows, one per measured metric. */
export function summaryRows(entries: readonly LeakSummaryEntry[]): LeakSummaryRow[] {
  const rows: LeakSummaryRow[] = []
  for (const entry of entries) {
    const { test, file, report } = entry
    const known = entryVerdict(entry) === 'known'
    const status = report.baseline?.status
    const baseline = !known && (status === 'new' || status === 'worse') ? { baseline: status } : {}
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
        verdict: result.exceeded ? (known ? 'known' : 'leak') : 'ok',
        ...(result.exceeded ? baseline : {}),
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
    row.verdict === 'leak' ? `LEAK${row.baseline ? ` (${row.baseline})` : ''}` : row.verdict,
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
  return [`leakproof: ${countLine(entries)}`, line(table[0] as string[]), ...rows.map(line)].join('\n')
}

/** "5 leak assertions, 2 leaking (1 known)". */
export function countLine(entries: readonly LeakSummaryEntry[]): string {
  const verdicts = entries.map(entryVerdict)
  const leaking = verdicts.filter((verdict) => verdict !== 'clean').length
  const known = verdicts.filter((verdict) => verdict === 'known').length
  const plural = entries.length === 1 ? '' : 's'
  return `${entries.length} leak assertion${plural}, ${leaking} leaking${known > 0 ? ` (${known} known)` : ''}`
}

const escapeMarkdown = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

/**
 * The same table in GitHub-flavoured Markdown, for `$GITHUB_STEP_SUMMARY`, with the assertion's file and line; a
 * failing leak says whether the baseline knew it (`LEAK (new)`, `LEAK (worse)`), an accepted one reads `known`.
 */
export function renderSummaryMarkdown(entries: readonly LeakSummaryEntry[]): string {
  const lines = ['### leakproof', '', `${countLine(entries)}.`, '']
  const rows = entries.flatMap((entry) => {
    const where = entry.file ? `${entry.file}${entry.line ? `:${entry.line}` : ''}` : ''
    return summaryRows([entry]).map((row) => [...cells(row).slice(0, 1), where, ...cells(row).slice(1)])
  })
  if (rows.length > 0) {
    const [test, ...rest] = HEADER
    lines.push(`| ${[test, 'file', ...rest].join(' | ')} |`, '| --- | --- | --- | ---: | ---: | --- | ---: |')
    for (const row of rows) lines.push(`| ${row.map(escapeMarkdown).join(' | ')} |`)
  }
  return `${lines.join('\n')}\n`
}

/** The JSON document reporters write: every entry with its full report. */
export interface LeakSummaryJson {
  version: 1
  /** Leaking assertions that fail the run (known leaks excluded). */
  leaks: number
  /** Leaking assertions the baseline accepted. */
  known?: number
  entries: LeakSummaryEntry[]
  rows: LeakSummaryRow[]
}

export function summaryJson(entries: readonly LeakSummaryEntry[]): LeakSummaryJson {
  return {
    version: 1,
    leaks: entries.filter((entry) => entryVerdict(entry) === 'leak').length,
    known: entries.filter((entry) => entryVerdict(entry) === 'known').length,
    entries: [...entries],
    rows: summaryRows(entries),
  }
}
