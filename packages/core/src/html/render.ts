import { formatCount, formatLeakReport, formatPerCall, formatPerCallShort } from '../format.js'
import type { LeakReport, MetricName } from '../report.js'
import { METRIC_NAMES } from '../report.js'
import { countLine, type EntryVerdict, entryVerdict, type LeakSummaryEntry, type LeakSummaryJson } from '../summary.js'
import { escapeHtml } from './escape.js'
import { CONTENT_SECURITY_POLICY, SORT_SCRIPT, STYLE } from './page.js'
import { cumulativeSeries, downsample, passStarts, rateLine } from './series.js'
import { chartSvg, sparklineSvg } from './svg.js'

/** Readings a leak's chart draws at most (a run of 6 passes × 11 readings is drawn whole). */
export const CHART_MAX_POINTS = 160
/** Readings a clean assertion's sparkline draws at most. */
export const SPARKLINE_MAX_POINTS = 32

const VERDICT_ORDER: Record<EntryVerdict, number> = { leak: 0, known: 1, clean: 2 }

interface Row {
  entry: LeakSummaryEntry
  verdict: EntryVerdict
  /** Position in the file, so anchors stay the same whatever the sort. */
  id: number
}

function where(entry: LeakSummaryEntry): string {
  if (entry.file === undefined) return ''
  return entry.line === undefined ? entry.file : `${entry.file}:${entry.line}`
}

/** A sort key: four significant digits are enough to order by, and keep 500 rows light. */
const sortKey = (value: number) => (Number.isFinite(value) ? String(Number(value.toPrecision(4))) : '0')

function metricCell(report: LeakReport, metric: MetricName): string {
  const result = report.metrics[metric]
  if (!result?.measured) return '<td data-sort="-1">—</td>'
  return (
    `<td${result.exceeded ? ' class="over"' : ''} data-sort="${sortKey(result.perCall)}">` +
    `${escapeHtml(formatPerCallShort(result.perCall, metric))}<small>/ ${escapeHtml(formatPerCallShort(result.budget, metric))}</small></td>`
  )
}

function tableRow({ entry, verdict, id }: Row): string {
  const { report } = entry
  const name = escapeHtml(entry.test)
  const trend =
    verdict === 'clean'
      ? `<details><summary>heap</summary>${sparklineSvg(
          downsample(cumulativeSeries(report.passes ?? [], 'heap'), SPARKLINE_MAX_POINTS),
          'heap',
        )}</details>`
      : `<a href="#entry-${id}">chart</a>`
  return (
    `<tr class="${verdict}" id="row-${id}"><td class="verdict" data-sort="${VERDICT_ORDER[verdict]}">${verdict}</td>` +
    `<td class="test">${verdict === 'clean' ? name : `<a href="#entry-${id}">${name}</a>`}</td>` +
    `<td class="file">${escapeHtml(where(entry))}</td>` +
    METRIC_NAMES.map((metric) => metricCell(report, metric)).join('') +
    `<td data-sort="${report.calls}">${formatCount(report.calls)}</td>` +
    `<td data-sort="${sortKey(report.durationMs)}">${formatCount(report.durationMs)} ms</td>` +
    `<td>${trend}</td></tr>`
  )
}

/** The metrics a leak's section charts: heap always, and every other metric over its budget. */
function chartedMetrics(report: LeakReport): MetricName[] {
  return METRIC_NAMES.filter(
    (metric) => report.metrics[metric]?.measured && (metric === 'heap' || report.metrics[metric].exceeded),
  )
}

function metricFigure(report: LeakReport, metric: MetricName): string {
  const passes = report.passes ?? []
  const result = report.metrics[metric]
  const series = cumulativeSeries(passes, metric)
  if (series.length < 2) return ''
  const rate = rateLine(passes, metric, result.perCall)
  const chart = chartSvg({
    metric,
    points: downsample(series, CHART_MAX_POINTS),
    readings: series.length,
    ...(rate ? { rate, budget: result.budget } : {}),
    passStarts: passStarts(passes),
  })
  const caption =
    `<span class="key data"></span>${escapeHtml(metric)} after each GC, growth since the first reading` +
    `<span class="key rate"></span>fitted ${escapeHtml(formatPerCall(result.perCall, metric))}` +
    `<span class="key budget"></span>budget ${escapeHtml(formatPerCall(result.budget, metric))}` +
    (result.exceeded ? ' — <strong>over budget</strong>' : '')
  return `<figure>${chart}<figcaption>${caption}</figcaption></figure>`
}

function baselineLine(report: LeakReport, verdict: EntryVerdict): string {
  const baseline = report.baseline
  if (!baseline) return ''
  const known = METRIC_NAMES.filter((metric) => baseline.known?.[metric] !== undefined)
    .map(
      (metric) =>
        `${metric} ${formatPerCall(baseline.known?.[metric] ?? 0, metric)}` +
        (baseline.allowed?.[metric] === undefined
          ? ''
          : ` (allowed ${formatPerCall(baseline.allowed[metric] as number, metric)})`),
    )
    .join(', ')
  const what =
    verdict === 'known'
      ? 'A known leak: the baseline accepts it'
      : baseline.status === 'worse'
        ? `Worse than the baseline${baseline.worse?.length ? ` (${baseline.worse.join(', ')})` : ''}`
        : baseline.status === 'new'
          ? 'Not in the baseline'
          : ''
  if (what === '') return ''
  return `<p class="baseline">${escapeHtml(`${what}${known ? `: ${known}` : ''}. Baseline: ${baseline.file}.`)}</p>`
}

function entrySection({ entry, verdict, id }: Row): string {
  const { report } = entry
  const facts = [
    where(entry),
    entry.index !== undefined && entry.index > 1 ? `assertion ${entry.index}` : '',
    `${formatCount(report.calls)} measured calls after ${formatCount(report.warmupCalls)} warm-up calls`,
    `${formatCount(report.durationMs)} ms`,
    report.mode,
    `Node ${report.nodeVersion}`,
  ].filter((fact) => fact !== '')
  let text: string
  try {
    // The text's sparklines have a bar per reading: a pass of 1,000 batches would add kilobytes per metric.
    text = formatLeakReport(report).replace(/[▁▂▃▄▅▆▇█]{60,}/g, (bars) => `${bars.slice(0, 59)}…`)
  } catch {
    // A report from another version may lack a field the text needs; the figures above still show.
    text = report.verdict ?? ''
  }
  return (
    `<section class="entry ${verdict}" id="entry-${id}">` +
    `<h3><span class="verdict ${verdict}">${verdict}</span> ${escapeHtml(entry.test)}</h3>` +
    `<p class="where">${escapeHtml(facts.join(' · '))} · <a href="#row-${id}">in the table</a></p>` +
    baselineLine(report, verdict) +
    chartedMetrics(report)
      .map((metric) => metricFigure(report, metric))
      .join('') +
    `<pre class="diagnosis">${escapeHtml(text)}</pre></section>`
  )
}

/** The table's columns; from the fourth on they are figures (right-aligned by the style). */
const HEADERS = ['verdict', 'test', 'file:line', ...METRIC_NAMES, 'calls', 'time']

/**
 * One self-contained HTML page for a leak summary (a reporter's JSON, or `leakproof merge`'s): a sortable table of
 * every assertion, failures first; per leak a chart of each failing metric after every GC against calls with the
 * fitted rate and the budget, and its report text; per clean assertion a sparkline on demand. No request leaves the
 * page: style, script and charts (SVG) are inline, and every string from the JSON is escaped.
 */
export function renderHtmlReport(doc: LeakSummaryJson): string {
  const rows: Row[] = doc.entries
    .map((entry, id) => ({ entry, verdict: entryVerdict(entry), id: id + 1 }))
    .sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] || a.id - b.id)
  const leaking = rows.filter((row) => row.verdict !== 'clean')
  const nodes = [...new Set(doc.entries.map((entry) => entry.report.nodeVersion).filter(Boolean))]
  const summary = countLine(doc.entries)
  const head = HEADERS.map(
    (header, index) =>
      `<th${index === 0 ? ' aria-sort="ascending"' : ''}><button type="button">${header}</button></th>`,
  ).join('')
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>leakproof: ${escapeHtml(summary)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    '<header><h1>leakproof report</h1>',
    `<p class="count">${escapeHtml(summary)}.</p>`,
    `<p class="meta">${escapeHtml(
      [
        nodes.length > 0 ? `Node ${nodes.join(', ')}` : '',
        'per-call figures are growth per measured call after full GC, against each assertion’s budget',
      ]
        .filter(Boolean)
        .join(' · '),
    )}. Click a column to sort.</p></header>`,
    rows.length === 0
      ? '<p>No leak assertions ran.</p>'
      : `<div class="scroll"><table id="assertions"><thead><tr>${head}<th>heap trend</th></tr></thead><tbody>${rows.map(tableRow).join('\n')}</tbody></table></div>`,
    leaking.length > 0 ? `<h2>Leaks (${leaking.length})</h2>${leaking.map(entrySection).join('\n')}` : '',
    `<script>${SORT_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n')
}
