import { isCountMetric } from '../format.js'
import type { MetricName } from '../report.js'
import { escapeHtml } from './escape.js'
import type { FittedLine, SeriesPoint } from './series.js'

const WIDTH = 640
const HEIGHT = 220
const MARGIN = { left: 70, right: 16, top: 14, bottom: 30 }
const SPARK_WIDTH = 120
const SPARK_HEIGHT = 24

/** Coordinates with one decimal: enough for a screen, and a fifth of the bytes of full precision. */
const fixed = (value: number) => String(Math.round(value * 10) / 10)

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 })

/** An axis figure: "12.5 KiB", "1.2 MiB" for memory, a plain count for handles, descriptors and listeners. */
export function formatAxisValue(value: number, metric: MetricName): string {
  if (isCountMetric(metric)) return compact.format(value)
  const magnitude = Math.abs(value)
  if (magnitude >= 1024 * 1024) return `${compact.format(value / (1024 * 1024))} MiB`
  if (magnitude >= 1024) return `${compact.format(value / 1024)} KiB`
  return `${compact.format(value)} B`
}

/**
 * Round steps from `min` to `max` (1, 2, 5 × 10^k, about five of them), in `scale` units (1024 for KiB, 1024² for
 * MiB, so memory ticks fall on 256 KiB, not on 262,144 B).
 */
function ticks(min: number, max: number, scale = 1): number[] {
  const span = (max - min) / scale || 1
  const raw = span / 5
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = ([1, 2, 5, 10].find((factor) => factor * power >= raw) ?? 10) * power
  const values: number[] = []
  const last = Math.ceil(max / scale / step - 1e-9)
  for (let index = Math.floor(min / scale / step + 1e-9); index <= last; index++) values.push(index * step * scale)
  return values
}

/** The unit memory ticks are counted in: MiB from a mebibyte up, KiB from a kibibyte. */
function tickScale(max: number, metric: MetricName): number {
  if (isCountMetric(metric)) return 1
  return max >= 1024 * 1024 ? 1024 * 1024 : max >= 1024 ? 1024 : 1
}

export interface ChartInput {
  metric: MetricName
  /** Post-GC readings against cumulative calls (raw values: the chart shows growth since the first). */
  points: readonly SeriesPoint[]
  /** How many readings the run had, when `points` was downsampled. */
  readings: number
  /** The fitted rate (`metrics[metric].perCall`) through the judged readings. */
  rate?: FittedLine
  /** The budget per call, drawn from where the rate line starts. */
  budget?: number
  /** Cumulative calls where passes 2, 3… start. */
  passStarts: readonly number[]
}

/** A line chart of a metric after each GC against calls, with the fitted rate and the budget as lines. */
export function chartSvg(input: ChartInput): string {
  const { metric, points, rate, budget } = input
  const base = points[0]?.value ?? 0
  const lastCalls = points.at(-1)?.calls ?? 0
  const lines: { kind: 'rate' | 'budget'; x1: number; y1: number; x2: number; y2: number }[] = []
  if (rate) {
    const at = (calls: number) => rate.intercept + rate.slope * calls - base
    lines.push({ kind: 'rate', x1: rate.from, y1: at(rate.from), x2: rate.to, y2: at(rate.to) })
    if (budget !== undefined) {
      const y1 = at(rate.from)
      lines.push({ kind: 'budget', x1: rate.from, y1, x2: rate.to, y2: y1 + budget * (rate.to - rate.from) })
    }
  }
  const values = [0, ...points.map((point) => point.value - base), ...lines.flatMap((line) => [line.y1, line.y2])]
  const low = Math.min(...values)
  const high = Math.max(...values)
  const yTicks = ticks(low, high, tickScale(Math.max(Math.abs(low), Math.abs(high)), metric))
  const yMin = Math.min(yTicks[0] ?? 0, low)
  const yMax = Math.max(yTicks.at(-1) ?? 1, high)
  // The call axis ends at the last call; its ticks stop at or before it.
  const xMax = lastCalls || 1
  const xTicks = ticks(0, xMax).filter((calls) => calls <= xMax)
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom
  const x = (calls: number) => MARGIN.left + (calls / xMax) * plotWidth
  const y = (value: number) => MARGIN.top + plotHeight - ((value - yMin) / (yMax - yMin || 1)) * plotHeight
  const bottom = MARGIN.top + plotHeight

  const grid = [
    ...yTicks.map(
      (value) =>
        `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${fixed(y(value))}" y2="${fixed(y(value))}"/>` +
        `<text x="${MARGIN.left - 6}" y="${fixed(y(value) + 4)}" text-anchor="end">${escapeHtml(formatAxisValue(value, metric))}</text>`,
    ),
    ...xTicks.map(
      (calls) =>
        `<text x="${fixed(x(calls))}" y="${bottom + 16}" text-anchor="middle">${escapeHtml(compact.format(calls))}</text>`,
    ),
    `<text x="${WIDTH - MARGIN.right}" y="${HEIGHT - 2}" text-anchor="end">calls</text>`,
  ]
  const passes = input.passStarts.map(
    (calls, index) =>
      `<line class="pass" x1="${fixed(x(calls))}" x2="${fixed(x(calls))}" y1="${MARGIN.top}" y2="${bottom}"/>` +
      `<text class="pass" x="${fixed(x(calls) + 3)}" y="${MARGIN.top + 10}">pass ${index + 2}</text>`,
  )
  const polyline = points.map((point) => `${fixed(x(point.calls))},${fixed(y(point.value - base))}`).join(' ')
  const dots = points.map(
    (point) =>
      `<circle cx="${fixed(x(point.calls))}" cy="${fixed(y(point.value - base))}" r="2.5">` +
      `<title>${escapeHtml(`${point.calls.toLocaleString('en-US')} calls: ${formatAxisValue(point.value - base, metric)}`)}</title></circle>`,
  )
  const fitted = lines.map(
    (line) =>
      `<line class="${line.kind}" x1="${fixed(x(line.x1))}" y1="${fixed(y(line.y1))}" x2="${fixed(x(line.x2))}" y2="${fixed(y(line.y2))}"/>`,
  )
  const label = `${metric} retained after each GC against calls (${input.readings} readings${
    input.readings > points.length ? `, ${points.length} shown` : ''
  })`
  return (
    `<svg class="chart" data-metric="${metric}" data-points="${points.length}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    `role="img" aria-label="${escapeHtml(label)}"><title>${escapeHtml(label)}</title>` +
    `<g class="grid">${grid.join('')}</g>${passes.join('')}` +
    `<polyline class="data" points="${polyline}"/>${fitted.join('')}<g class="pts">${dots.join('')}</g></svg>`
  )
}

/** A small line of a series, no axes: the shape of a clean assertion's readings. */
export function sparklineSvg(points: readonly SeriesPoint[], metric: MetricName): string {
  const values = points.map((point) => point.value)
  const min = Math.min(...values)
  const max = Math.max(...values)
  const lastCalls = points.at(-1)?.calls || 1
  const coordinates = points
    .map(
      (point) =>
        `${fixed((point.calls / lastCalls) * SPARK_WIDTH)},${fixed(SPARK_HEIGHT - 1 - ((point.value - min) / (max - min || 1)) * (SPARK_HEIGHT - 2))}`,
    )
    .join(' ')
  // The range only: a sparkline per clean row must stay light.
  const range = `${formatAxisValue(max - min, metric)} range`
  return (
    `<svg class="spark" data-points="${points.length}" viewBox="0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}">` +
    `<title>${escapeHtml(range)}</title><polyline points="${coordinates}"/></svg>`
  )
}
