import { readFileSync } from 'node:fs'
import { unitOf } from '../format.js'
import { DEFAULT_BUDGET } from '../options.js'
import { METRIC_NAMES } from '../report.js'
import type { LeakSummaryEntry, LeakSummaryJson } from '../summary.js'

/** A file given to the `leakproof` command, or the baseline, is missing or not what it should be. */
export class LeakproofFileError extends Error {
  override name = 'LeakproofFileError'
  readonly path: string

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options)
    this.path = path
  }
}

/** Reads and parses a JSON file; a missing file or bad JSON is a LeakproofFileError naming the file. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new LeakproofFileError(
      path,
      code === 'ENOENT' ? `no such file (expected ${what})` : `cannot be read (${code ?? String(error)})`,
      { cause: error },
    )
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new LeakproofFileError(path, `is not valid JSON (${(error as Error).message}); expected ${what}`, {
      cause: error,
    })
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Reads a leak summary that a leakproof reporter wrote (`outputFile`) or `leakproof merge` produced, and checks its
 * shape, so a wrong file gets an error that names it instead of a wrong table.
 */
export function readSummaryFile(path: string): LeakSummaryJson {
  const what = "a leakproof summary (the reporter's outputFile, or the output of `leakproof merge`)"
  const data = readJsonFile(path, what)
  if (!isObject(data) || !Array.isArray(data.entries)) {
    throw new LeakproofFileError(path, `has no "entries" list: expected ${what}`)
  }
  if (data.version !== 1) {
    throw new LeakproofFileError(
      path,
      `has version ${JSON.stringify(data.version)}; this leakproof reads version 1 (update @leakproof/* to read it)`,
    )
  }
  data.entries.forEach((entry, index) => {
    const report = isObject(entry) ? entry.report : undefined
    if (!isObject(entry) || typeof entry.test !== 'string' || !isObject(report) || !isObject(report.metrics)) {
      throw new LeakproofFileError(path, `entry ${index + 1} is not a leak assertion (needs "test" and "report")`)
    }
    withEveryMetric(report, report.metrics)
  })
  return data as unknown as LeakSummaryJson
}

/** The entries of a summary, checked (see readSummaryFile). */
export function readSummaryEntries(path: string): LeakSummaryEntry[] {
  return readSummaryFile(path).entries
}

/**
 * A report written before a metric existed (descriptors) lacks it: it reads as not measured, its
 * readings as 0, its details as none, so every reader can rely on every metric being there.
 */
function withEveryMetric(report: Record<string, unknown>, metrics: Record<string, unknown>): void {
  for (const metric of METRIC_NAMES) {
    if (isObject(metrics[metric])) continue
    metrics[metric] = {
      perCall: 0,
      budget: DEFAULT_BUDGET[metric],
      exceeded: false,
      unit: unitOf(metric),
      measured: false,
      detectable: 0,
    }
  }
  if (isObject(report.details) && !Array.isArray(report.details.descriptors)) report.details.descriptors = []
  if (!Array.isArray(report.passes)) return
  for (const pass of report.passes) {
    if (!isObject(pass)) continue
    for (const sample of Array.isArray(pass.samples) ? pass.samples : []) {
      if (isObject(sample) && typeof sample.descriptors !== 'number') sample.descriptors = 0
    }
    for (const key of ['rates', 'cumulativeRates'] as const) {
      const rates = pass[key]
      if (isObject(rates) && typeof rates.descriptors !== 'number') rates.descriptors = 0
    }
  }
}
