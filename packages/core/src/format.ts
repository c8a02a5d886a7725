import { formatDiagnosis } from './diagnose/format.js'
import type { DescriptorDetail, LeakPass, LeakReport, MetricName, MetricResult } from './report.js'
import { METRIC_NAMES } from './report.js'

/** Optional colouring, for example a matcher context's `RECEIVED_COLOR` / `EXPECTED_COLOR`. */
export interface FormatColors {
  received?: (text: string) => string
  expected?: (text: string) => string
  dim?: (text: string) => string
}

const SPARK = '▁▂▃▄▅▆▇█'
const identity = (text: string) => text

/** Formats a count with thousands separators: 20000 → "20,000". */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US')
}

/** True for the metrics counted in units (handles, descriptors, listeners); false for bytes (heap, external). */
export function isCountMetric(metric: MetricName): boolean {
  return metric === 'handles' || metric === 'descriptors' || metric === 'listeners'
}

/** A metric's unit in a report: bytes for heap and external, a count for the others. */
export function unitOf(metric: MetricName): 'B' | 'count' {
  return isCountMetric(metric) ? 'count' : 'B'
}

/**
 * A per-call figure where the metric is named beside it (a table column, "handles 1.00/call"): "0.17 B/call" for
 * memory, "1.00/call" for counts.
 */
export function formatPerCallShort(value: number, metric: MetricName): string {
  const text = formatPerCall(value, metric)
  return isCountMetric(metric) ? text.replace(` ${metric}/call`, '/call') : text
}

/** Formats a per-call figure with its unit: "64.1 B/call", "1.25 KiB/call", "0.01 handles/call". */
export function formatPerCall(value: number, metric: MetricName): string {
  if (isCountMetric(metric)) return `${formatDecimal(value)} ${metric}/call`
  const magnitude = Math.abs(value)
  if (magnitude >= 1024 * 1024) return `${formatDecimal(value / (1024 * 1024))} MiB/call`
  if (magnitude >= 10 * 1024) return `${formatDecimal(value / 1024)} KiB/call`
  return `${formatDecimal(value)} B/call`
}

function formatDecimal(value: number): string {
  const magnitude = Math.abs(value)
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2
  const text = value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
  return text === '-0.00' || text === '-0.0' || text === '-0' ? text.slice(1) : text
}

/** A one-line sparkline of a series: "▁▁▂▃▅▆▇█". Flat series render as the lowest bar. */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return ''
  const min = Math.min(...values)
  const max = Math.max(...values)
  const span = max - min
  return values
    .map(
      (value) => SPARK[span === 0 ? 0 : Math.min(SPARK.length - 1, Math.floor(((value - min) / span) * SPARK.length))],
    )
    .join('')
}

/** The metrics that exceeded their budget, in report order. */
export function failingMetrics(report: LeakReport): MetricName[] {
  return METRIC_NAMES.filter((name) => report.metrics[name]?.exceeded)
}

/** One line: "heap 64.1 B/call > budget 0.25 B/call". */
export function summarizeReport(report: LeakReport): string {
  const shown = report.leaked ? failingMetrics(report) : (['heap'] as MetricName[])
  return shown
    .map((name) => {
      const metric = report.metrics[name]
      const figure = formatPerCall(metric.perCall, name)
      const budget = formatPerCall(metric.budget, name)
      if (metric.exceeded) return `${name} ${figure} > budget ${budget}${topGrowth(report, name)}`
      // Clean although over budget: a true sentence, not "≤" (the growth faded, or stood in the noise).
      if (metric.perCall > metric.budget) {
        return `${name} ${figure} (over budget ${budget}, but within the noise floor or fading when re-measured)`
      }
      return `${name} ${figure} ≤ budget ${budget}`
    })
    .join(', ')
}

/** " (Timeout 1.00/call, UDPWRAP 0.50/call)" for the count metrics; empty for memory. */
function topGrowth(report: LeakReport, name: MetricName): string {
  const details = report.details
  if (!details) return ''
  const entries =
    name === 'handles'
      ? details.handles.map((d) => `${d.type} ${formatDecimal(d.perCall)}/call`)
      : name === 'descriptors'
        ? (details.descriptors ?? []).map((d) => `${descriptorWhat(d)} ${formatDecimal(d.perCall)}/call`)
        : name === 'listeners'
          ? details.listeners.map((d) => `${d.target} '${d.event}' ${formatDecimal(d.perCall)}/call`)
          : []
  return entries.length > 0 ? ` (${entries.slice(0, 3).join(', ')})` : ''
}

/** "file /tmp/log-*.txt", "socket", "anon_inode eventpoll". */
function descriptorWhat(detail: DescriptorDetail): string {
  return detail.target === '' ? detail.kind : `${detail.kind} ${detail.target}`
}

/** A stack frame's paths relative to the working directory, as runners print them (the report keeps them whole). */
function relativeToCwd(frame: string): string {
  const cwd = typeof process === 'object' && typeof process.cwd === 'function' ? process.cwd() : ''
  if (cwd === '' || cwd === '/') return frame
  return frame.split(`file://${cwd}/`).join('').split(`${cwd}/`).join('')
}

/** Lines naming what grew, for handles, descriptors and listeners that exceeded their budget. */
function detailLines(report: LeakReport, colors: Required<FormatColors>): string[] {
  const details = report.details
  if (!details) return []
  const lines: string[] = []
  const site = (stacks: string[], verb: string) =>
    stacks[0] !== undefined
      ? colors.dim(` — ${verb} at ${relativeToCwd(stacks[0])}`)
      : colors.dim(` — ${verb} in a callback (no stack)`)
  if (report.metrics.handles.exceeded) {
    for (const d of details.handles.slice(0, 5)) {
      lines.push(
        `    ${d.type} ${formatDecimal(d.perCall)}/call (${formatCount(d.live)} alive)${site(d.stacks, 'created')}`,
      )
    }
  }
  if (report.metrics.descriptors?.exceeded) {
    for (const d of (details.descriptors ?? []).slice(0, 5)) {
      const example = d.example !== '' && d.example !== d.target ? colors.dim(` — e.g. ${d.example}`) : ''
      lines.push(`    ${descriptorWhat(d)} ${formatDecimal(d.perCall)}/call (${formatCount(d.open)} open)${example}`)
    }
  }
  if (report.metrics.listeners.exceeded) {
    for (const d of details.listeners.slice(0, 5)) {
      lines.push(
        `    ${d.target} '${d.event}' ${formatDecimal(d.perCall)}/call (${formatCount(d.added)} added)${site(d.stacks, 'added')}`,
      )
    }
  }
  return lines
}

function describeMethod(report: LeakReport, pass: LeakPass): string {
  const batches = pass.samples.length - 1
  if (pass.runaway) return `post-GC readings, growth over ${formatCount(pass.samples.at(-1)?.calls ?? 0)} calls`
  const window = `robust slope over batches ${pass.windowStart + 1}–${batches} of ${batches} × ${formatCount(pass.callsPerBatch)} calls`
  if (report.passes.length === 1) return `post-GC readings, ${window}`
  const earlier = report.passes
    .slice(0, -1)
    .map((p) => `${formatPerCall(p.rates.heap, 'heap')} heap at ${formatCount(p.callsPerBatch)} calls/batch`)
    .join(', ')
  return (
    `post-GC readings, robust slope from pass 1's judged window to the end of pass ${report.passes.length} ` +
    `(last pass: ${formatCount(pass.callsPerBatch)} calls × ${batches} batches; earlier passes alone: ${earlier})`
  )
}

function metricLine(
  name: MetricName,
  metric: MetricResult | undefined,
  pass: LeakPass,
  colors: Required<FormatColors>,
): string {
  const label = name.padEnd(11)
  if (!metric?.measured) return `  ${label} ${colors.dim('not measured')}`
  const figure = formatPerCall(metric.perCall, name).padStart(22)
  const budget = `budget ${formatPerCall(metric.budget, name)}`.padEnd(30)
  // Over budget yet not a leak: the growth faded when re-measured or stayed within the noise floor.
  const verdict = metric.exceeded
    ? colors.received('LEAK')
    : colors.expected(metric.perCall > metric.budget ? 'ok* ' : 'ok  ')
  const paint = metric.exceeded ? colors.received : identity
  const series = `  ${sparkline(pass.samples.map((s) => s[name] ?? 0))}`
  return `  ${label} ${paint(figure)}  ${budget} ${verdict}${series}`
}

/** Multi-line text rendering of a report, for failure messages and logs. */
export function formatLeakReport(report: LeakReport, colors: FormatColors = {}): string {
  const paint: Required<FormatColors> = {
    received: colors.received ?? identity,
    expected: colors.expected ?? identity,
    dim: colors.dim ?? identity,
  }
  const pass = report.passes.at(-1) as LeakPass
  const lines = [
    `${report.leaked ? 'Leak' : 'No leak'}: ${report.verdict}.`,
    ...METRIC_NAMES.map((name) => metricLine(name, report.metrics[name], pass, paint)),
    ...detailLines(report, paint),
    paint.dim(`  how: ${describeMethod(report, pass)}.`),
    ...(METRIC_NAMES.some(
      (name) =>
        report.metrics[name] !== undefined &&
        !report.metrics[name].exceeded &&
        report.metrics[name].perCall > report.metrics[name].budget,
    )
      ? [paint.dim('  ok*: over budget in this reading, but within the noise floor or fading when re-measured.')]
      : []),
    paint.dim(
      `  ${formatCount(report.calls)} measured calls after ${formatCount(report.warmupCalls)} warm-up calls, ` +
        `${report.mode}${report.turnedEventLoop ? ', event loop turned between batches' : ''}, ` +
        `${formatCount(report.durationMs)} ms, Node ${report.nodeVersion}.`,
    ),
    ...formatDiagnosis(report.diagnosis, paint),
  ]
  return lines.join('\n')
}
