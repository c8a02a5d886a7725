import { formatPerCall } from '../format.js'
import { METRIC_NAMES, type MetricName } from '../report.js'
import { entryVerdict, type LeakSummaryEntry } from '../summary.js'
import { allowedFigure, DEFAULT_TOLERANCE, entryKey, grewPast } from './baseline.js'

/** How one assertion changed from a base run to a head run. */
export interface ComparedEntry {
  test: string
  file?: string
  index: number
  /** `grew`: a metric that leaks in head leaked less (or not at all) in base; `new`: a leak in a test base lacks. */
  change: 'grew' | 'new' | 'fixed' | 'same'
  /**
   * The metrics that grew (or leak, for `new`), with both per-call figures (base 0 when base did not have the test)
   * and whether base leaked on it.
   */
  metrics: { metric: MetricName; base: number; head: number; budget: number; baseLeaked: boolean }[]
}

export interface Comparison {
  entries: ComparedEntry[]
  /** Assertions in base and not in head (removed or renamed tests, or a filtered run). */
  missing: { test: string; file?: string; index: number }[]
}

/**
 * Compares two runs' summaries assertion by assertion. A leaking metric "grew" when base did not leak on it or its
 * per-call figure, and the rate of each of head's passes, rose past base's figure by more than the tolerance (the
 * baseline's rule, `grewPast`, so noise or one step between two measurements of the same leak does not count).
 */
export function compareSummaries(
  base: readonly LeakSummaryEntry[],
  head: readonly LeakSummaryEntry[],
  tolerance = DEFAULT_TOLERANCE,
): Comparison {
  const baseByKey = new Map(base.map((entry) => [entryKey(entry), entry]))
  const headKeys = new Set(head.map(entryKey))
  const entries: ComparedEntry[] = head.map((entry) => {
    const before = baseByKey.get(entryKey(entry))
    const identity = {
      test: entry.test,
      ...(entry.file === undefined ? {} : { file: entry.file }),
      index: entry.index ?? 1,
    }
    const leaking = entryVerdict(entry) !== 'clean'
    if (!before) {
      const metrics = leaking ? grownMetrics(entry, undefined, tolerance) : []
      return { ...identity, change: leaking ? 'new' : 'same', metrics }
    }
    const metrics = grownMetrics(entry, before, tolerance)
    if (metrics.length > 0) return { ...identity, change: 'grew', metrics }
    return { ...identity, change: before.report.leaked && !entry.report.leaked ? 'fixed' : 'same', metrics: [] }
  })
  const missing = base
    .filter((entry) => !headKeys.has(entryKey(entry)))
    .map((entry) => ({
      test: entry.test,
      ...(entry.file === undefined ? {} : { file: entry.file }),
      index: entry.index ?? 1,
    }))
  return { entries, missing }
}

function grownMetrics(head: LeakSummaryEntry, base: LeakSummaryEntry | undefined, tolerance: number) {
  const grown: ComparedEntry['metrics'] = []
  for (const metric of METRIC_NAMES) {
    const now = head.report.metrics[metric]
    if (!now.exceeded) continue
    const before = base?.report.metrics[metric]
    const baseLeaked = before?.exceeded === true
    if (baseLeaked && !grewPast(head.report, metric, allowedFigure(before.perCall, now.budget, tolerance))) continue
    grown.push({ metric, base: before?.perCall ?? 0, head: now.perCall, budget: now.budget, baseLeaked })
  }
  return grown
}

const escapeMarkdown = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ')

/** Markdown for a pull-request comment: the assertions that grew or are new leaks, then those fixed. */
export function renderComparisonMarkdown(comparison: Comparison): string {
  const grew = comparison.entries.filter((entry) => entry.change === 'grew' || entry.change === 'new')
  const fixed = comparison.entries.filter((entry) => entry.change === 'fixed')
  const lines = ['### leakproof: compared with the base run', '']
  if (grew.length === 0) lines.push('No leak is new or grew.', '')
  else {
    lines.push(
      `${grew.length} assertion${grew.length === 1 ? '' : 's'} leak more than in the base run:`,
      '',
      '| test | file | metric | base | head | change |',
      '| --- | --- | --- | ---: | ---: | --- |',
    )
    for (const entry of grew) {
      for (const { metric, base, head, baseLeaked } of entry.metrics) {
        const cells = [
          entry.test,
          entry.file ?? '',
          metric,
          entry.change === 'new' ? '–' : formatPerCall(base, metric),
          formatPerCall(head, metric),
          entry.change === 'new' ? 'new leak' : baseLeaked ? `×${(head / base).toFixed(1)}` : 'now leaks',
        ]
        lines.push(`| ${cells.map(escapeMarkdown).join(' | ')} |`)
      }
    }
    lines.push('')
  }
  if (fixed.length > 0) {
    lines.push(
      `Fixed (leaked in the base run, clean now): ${fixed.map((entry) => `\`${entry.test}\``).join(', ')}.`,
      '',
    )
  }
  if (comparison.missing.length > 0) {
    lines.push(`Not in this run (removed, renamed or filtered): ${comparison.missing.length}.`, '')
  }
  return `${lines.join('\n')}`
}
