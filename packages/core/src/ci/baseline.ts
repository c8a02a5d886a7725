/**
 * The known-leaks baseline: a committed JSON file (`leakproof-baseline.json` next to the project's config by default)
 * that lists the leaks a codebase already has, so that only a new leak, or a known one grown past its entry, fails.
 *
 *     {
 *       "version": 1,
 *       "leaks": {
 *         "test/cache.test.ts": {
 *           "cache > keeps every key": { "1": { "heap": 1010 } }
 *         }
 *       }
 *     }
 *
 * Keys: the test file relative to the baseline's folder (`/`-separated), the runner's full test name (Vitest's
 * `a > b`, Jest's space-joined name, as `-t` matches it), then which `toLeak` of the test (from 1). Figures: per call,
 * bytes for heap and external, counts for handles, descriptors and listeners, three significant digits, for the metrics that
 * leaked when the entry was written. The adapters' matchers judge against it (in the test worker); their reporters
 * write it when `LEAKPROOF_UPDATE` is set and list the entries whose leak is gone.
 */
import { statSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path'
import type { BaselineMatch, LeakAssertion, LeakReport, MetricName } from '../report.js'
import { METRIC_NAMES } from '../report.js'
import type { LeakSummaryEntry } from '../summary.js'
import { LeakproofFileError, readJsonFile } from './read.js'

/** Default tolerance of the baseline and of `leakproof compare`: a known figure may read up to 1.5× plus its budget. */
export const DEFAULT_TOLERANCE = 0.5

export const BASELINE_FILE = 'leakproof-baseline.json'
/** The baseline's path (absolute, or relative to the working directory). The reporters set it for their workers. */
export const BASELINE_ENV = 'LEAKPROOF_BASELINE'
/** `1`: write the baseline at the end of the run, entries only going down; `all`: take every leak as measured. */
export const UPDATE_ENV = 'LEAKPROOF_UPDATE'
/** Set by a leakproof reporter (to its pid) for its workers: someone will write the baseline at the end. */
export const BASELINE_WRITER_ENV = 'LEAKPROOF_BASELINE_WRITER'

export type BaselineFigures = Partial<Record<MetricName, number>>

export interface BaselineFile {
  version: 1
  /** Overrides DEFAULT_TOLERANCE for this project: 0.5 lets a known figure read up to 1.5× its entry plus its budget. */
  tolerance?: number
  /** Test file → full test name → assertion index → per-call figures. */
  leaks: Record<string, Record<string, Record<string, BaselineFigures>>>
}

export type UpdateMode = 'off' | 'ratchet' | 'all'

type Env = Record<string, string | undefined>

/** What `LEAKPROOF_UPDATE` asks for; a value it does not know is an error (a typo must not silently do nothing). */
export function updateMode(env: Env): UpdateMode {
  const value = env[UPDATE_ENV]?.trim()
  if (value === undefined || value === '' || value === '0' || value === 'false') return 'off'
  if (value === '1' || value === 'true') return 'ratchet'
  if (value === 'all') return 'all'
  throw new Error(
    `leakproof: ${UPDATE_ENV}=${value} is not a value it knows: use 1 (add new leaks, lower entries that read ` +
      'lower, remove the ones whose leak is gone) or all (also raise entries to what was measured).',
  )
}

export function baselinePath(env: Env, cwd: string): string {
  return resolve(cwd, env[BASELINE_ENV] || BASELINE_FILE)
}

/** One assertion's identity across runs and shards: test file, full test name, assertion index. */
export function entryKey(entry: Pick<LeakSummaryEntry, 'file' | 'test' | 'index'>): string {
  return JSON.stringify([entry.file ?? '', entry.test, entry.index ?? 1])
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const cache = new Map<string, { stamp: string; file: BaselineFile }>()

/**
 * Reads and checks a baseline file; undefined when there is none. A malformed one is an error that names the file
 * and says how to fix it (a wrong file must never pass a leak, nor fail every test without saying why).
 */
export function readBaseline(path: string): BaselineFile | undefined {
  let stamp: string
  try {
    const stat = statSync(path)
    stamp = `${stat.mtimeMs}:${stat.size}`
  } catch {
    return undefined
  }
  const cached = cache.get(path)
  if (cached?.stamp === stamp) return cached.file
  const fix = `fix it, or delete it and run the tests with ${UPDATE_ENV}=1 to write it again`
  const data = readJsonFile(path, 'a leakproof baseline')
  if (!isObject(data) || data.version !== 1 || !isObject(data.leaks)) {
    throw new LeakproofFileError(path, `is not a leakproof baseline (expected {"version": 1, "leaks": {...}}): ${fix}`)
  }
  if (data.tolerance !== undefined && !(typeof data.tolerance === 'number' && data.tolerance >= 0)) {
    throw new LeakproofFileError(path, `"tolerance" must be a number ≥ 0 (0.5 means 50%): ${fix}`)
  }
  for (const [file, tests] of Object.entries(data.leaks)) {
    for (const [test, assertions] of Object.entries(isObject(tests) ? tests : { '': null })) {
      for (const [index, figures] of Object.entries(isObject(assertions) ? assertions : { '': null })) {
        const valid =
          /^[1-9]\d*$/.test(index) &&
          isObject(figures) &&
          Object.entries(figures).every(
            ([metric, value]) =>
              (METRIC_NAMES as readonly string[]).includes(metric) &&
              typeof value === 'number' &&
              Number.isFinite(value) &&
              value >= 0,
          )
        if (!valid) {
          throw new LeakproofFileError(
            path,
            `the entry for ${JSON.stringify(file)} › ${JSON.stringify(test)} is malformed (expected ` +
              '{"<assertion index>": {"heap": <bytes per call>, ...}}, metrics heap, external, handles, descriptors, listeners): ' +
              fix,
          )
        }
      }
    }
  }
  const file = data as unknown as BaselineFile
  cache.set(path, { stamp, file })
  return file
}

/** `/`-separated path of the test file relative to the baseline's folder (absolute when on another drive). */
export function baselineFileKey(baseline: string, testFile: string): string {
  const fromBaseline = relative(dirname(baseline), testFile)
  return (isAbsolute(fromBaseline) ? testFile : fromBaseline).split(sep).join('/')
}

/** The most a known figure may read and still count as the same leak: figure × (1 + tolerance) + budget. */
export function allowedFigure(known: number, budget: number, tolerance: number): number {
  return known * (1 + tolerance) + budget
}

/**
 * Whether a metric's growth is over `allowed` in a way that counts as a worse leak: its per-call figure is over it,
 * and so is the rate of every pass's judged window. A leak whose figure one step lifted (an array's backing store
 * reallocated 1.5× larger, a hash table rehashed, inside or between the windows) reads its own rate in a pass without
 * the step; a leak that got worse reads more in every pass. An object pushed per call onto an array of ~200,000 read
 * 32.0 B/call in 6 runs of 12, and 42–52 B/call in the runs whose span held the array's reallocation, while one of its
 * passes read 32.0–32.1 in every run.
 */
export function grewPast(report: LeakReport, metric: MetricName, allowed: number): boolean {
  if (report.metrics[metric].perCall <= allowed) return false
  return report.passes.every((pass) => !(pass.rates[metric] <= allowed))
}

/**
 * Looks a `.not.toLeak()` report up in the baseline. Undefined when no baseline is in effect (no file and no update
 * asked for). Throws a clear error for a malformed file, a bad `LEAKPROOF_UPDATE`, or an update nobody will write.
 */
export function judgeBaseline(
  report: LeakReport,
  assertion: LeakAssertion,
  env: Env,
  cwd: string,
): BaselineMatch | undefined {
  const mode = updateMode(env)
  const path = baselinePath(env, cwd)
  const file = readBaseline(path)
  if (!file && mode === 'off') return undefined
  if (mode !== 'off' && !env[BASELINE_WRITER_ENV]) {
    throw new Error(
      `leakproof: ${UPDATE_ENV} is set, but no leakproof reporter runs in this test run to write ${path}: add ` +
        "'@leakproof/vitest/reporter' or '@leakproof/jest/reporter' to the runner's reporters.",
    )
  }
  const key = { file: baselineFileKey(path, assertion.file), test: assertion.test, index: assertion.index }
  const known = file?.leaks[key.file]?.[key.test]?.[String(key.index)]
  const base = { file: path, key, ...(known ? { known } : {}) }
  if (!report.leaked) return { ...base, status: 'clean', accepted: false }
  if (!known) return { ...base, status: 'new', accepted: mode !== 'off' }
  const tolerance = file?.tolerance ?? DEFAULT_TOLERANCE
  const allowed: BaselineFigures = {}
  const worse: MetricName[] = []
  for (const metric of METRIC_NAMES) {
    const result = report.metrics[metric]
    if (!result.exceeded) continue
    const figure = known[metric]
    if (figure === undefined) {
      worse.push(metric)
      continue
    }
    const allowance = allowedFigure(figure, result.budget, tolerance)
    allowed[metric] = allowance
    if (grewPast(report, metric, allowance)) worse.push(metric)
  }
  if (worse.length === 0) return { ...base, allowed, status: 'known', accepted: true }
  // LEAKPROOF_UPDATE=1 never raises an entry, so a worse leak still fails; `all` takes it as measured.
  return { ...base, allowed, worse, status: 'worse', accepted: mode === 'all' }
}

/** Reads what the baseline needs before a measurement, so a bad file or setting fails at once, not after it. */
export function checkBaseline(env: Env, cwd: string): void {
  updateMode(env)
  readBaseline(baselinePath(env, cwd))
}

/** Three significant digits: stable in a diff, finer than run-to-run noise. */
const figure = (value: number) => Number(Math.max(0, value).toPrecision(3))

/** The per-call figures of the metrics that leaked. */
export function leakFigures(report: LeakReport): BaselineFigures {
  const figures: BaselineFigures = {}
  for (const metric of METRIC_NAMES) {
    if (report.metrics[metric].exceeded) figures[metric] = figure(report.metrics[metric].perCall)
  }
  return figures
}

/** How each test of a test file that ran ended, by the runner's full name (the baseline key's test). */
export type RanTests = Map<string, Map<string, 'passed' | 'failed' | 'skipped'>>

export interface BaselineChange {
  file: string
  test: string
  index: number
  figures: BaselineFigures
  previous?: BaselineFigures
}

export interface BaselineUpdate {
  next: BaselineFile
  added: BaselineChange[]
  lowered: BaselineChange[]
  raised: BaselineChange[]
  /** Entries whose leak is gone: the test ran and passed with no leak there, or no longer exists in its file. */
  removed: BaselineChange[]
  /** Worse than their entry, left as they are (`LEAKPROOF_UPDATE=1` never raises one). */
  kept: BaselineChange[]
}

/**
 * What the baseline becomes after this run: new leaks added, entries lowered where this run read lower (raised too
 * under `all`), entries whose leak is gone removed. Entries of test files that did not run, of skipped tests and of
 * tests that failed some other way are left alone. `reports` are this run's, each with the `baseline` its matcher set. With mode `off` nothing is meant to be written: `removed` then
 * lists the stale entries.
 */
export function updateBaseline(
  previous: BaselineFile | undefined,
  reports: readonly LeakReport[],
  ran: RanTests,
  mode: UpdateMode,
): BaselineUpdate {
  const leaks: BaselineFile['leaks'] = structuredClone(previous?.leaks ?? {})
  const result: BaselineUpdate = {
    next: { version: 1, ...(previous?.tolerance === undefined ? {} : { tolerance: previous.tolerance }), leaks },
    added: [],
    lowered: [],
    raised: [],
    removed: [],
    kept: [],
  }
  const leaking = new Set<string>()
  for (const report of reports) {
    const match = report.baseline
    if (!match || match.status === 'clean') continue
    const { file, test, index } = match.key
    leaking.add(entryKey({ file, test, index }))
    const measured = leakFigures(report)
    const old = match.known
    const change: BaselineChange = { file, test, index, figures: measured, ...(old ? { previous: old } : {}) }
    let next: BaselineFigures | undefined
    if (!old) {
      next = measured
      result.added.push(change)
    } else if (mode === 'all') {
      next = measured
      if (METRIC_NAMES.some((metric) => (measured[metric] ?? 0) > (old[metric] ?? 0))) result.raised.push(change)
      else if (!sameFigures(old, measured)) result.lowered.push(change)
    } else if (match.status === 'worse') {
      result.kept.push(change)
    } else {
      next = lowerOnly(old, measured)
      if (!sameFigures(old, next)) result.lowered.push({ ...change, figures: next })
    }
    if (next && mode !== 'off') {
      leaks[file] ??= {}
      ;(leaks[file] as Record<string, Record<string, BaselineFigures>>)[test] ??= {}
      ;(leaks[file] as Record<string, Record<string, BaselineFigures>>)[test] = {
        ...leaks[file]?.[test],
        [String(index)]: next,
      }
    }
  }
  for (const [file, tests] of Object.entries(previous?.leaks ?? {})) {
    const outcomes = ran.get(file)
    if (!outcomes) continue
    for (const [test, assertions] of Object.entries(tests)) {
      const outcome = outcomes.get(test)
      if (outcome === 'skipped' || outcome === 'failed') continue
      for (const [index, figures] of Object.entries(assertions)) {
        if (leaking.has(entryKey({ file, test, index: Number(index) }))) continue
        result.removed.push({ file, test, index: Number(index), figures })
        if (mode !== 'off') delete leaks[file]?.[test]?.[index]
      }
      if (mode !== 'off' && Object.keys(leaks[file]?.[test] ?? {}).length === 0) delete leaks[file]?.[test]
    }
    if (mode !== 'off' && Object.keys(leaks[file] ?? {}).length === 0) delete leaks[file]
  }
  return result
}

/** A known leak's entry goes down with a lower reading; a metric that stopped leaking drops out. */
function lowerOnly(old: BaselineFigures, measured: BaselineFigures): BaselineFigures {
  const next: BaselineFigures = {}
  for (const metric of METRIC_NAMES) {
    const before = old[metric]
    const now = measured[metric]
    if (before === undefined || now === undefined) continue
    next[metric] = Math.min(before, now)
  }
  return next
}

function sameFigures(a: BaselineFigures, b: BaselineFigures): boolean {
  return METRIC_NAMES.every((metric) => a[metric] === b[metric])
}

/** Sorted keys at every level and a final newline, so the file diffs well. */
export function serializeBaseline(file: BaselineFile): string {
  const sort = (value: unknown): unknown =>
    isObject(value)
      ? Object.fromEntries(
          Object.keys(value)
            .sort((a, b) => (/^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) - Number(b) : a.localeCompare(b)))
            .map((key) => [key, sort(value[key])]),
        )
      : value
  const ordered = { version: file.version, ...(file.tolerance === undefined ? {} : { tolerance: file.tolerance }) }
  const text = JSON.stringify({ ...ordered, leaks: sort(file.leaks) }, null, 2)
  // One line per assertion: `"1": { "heap": 587 }`.
  return `${text.replace(/\{\n\s+("[a-z]+": [^\n{}]+(?:,\n\s+"[a-z]+": [^\n{}]+)*)\n\s+\}/g, (_, body: string) => `{ ${body.replace(/,\n\s+/g, ', ')} }`)}\n`
}

export function writeBaseline(path: string, file: BaselineFile): void {
  writeFileSync(path, serializeBaseline(file))
  cache.delete(path)
}
