import type { EventEmitter } from 'node:events'
import type { DiagnoseDepth, DiagnoseOptions, DiagnoseSettings } from './diagnose/types.js'
import { describeValue, isPlainObject } from './util.js'

/** Per-call budgets. Heap and external memory in bytes per call; handles, descriptors and listeners in count per call. */
export interface LeakBudget {
  /** JS heap bytes retained per call. Default 0.25 (see README: "Defaults and the numbers behind them"). */
  heap?: number
  /** External + ArrayBuffer bytes (Buffers, typed arrays) retained per call. Default 0.25. */
  external?: number
  /**
   * Handles and requests (timers, sockets, servers, watchers…, unref'd ones too) left alive per call. Default 0.01
   * (one per hundred calls): clean code never moved the count by one. Not measured with `turnEventLoop: false`.
   */
  handles?: number
  /**
   * File descriptors (files, sockets, pipes…) left open per call, counted on Linux and macOS. Default 0.01 (one per
   * hundred calls): clean code never moved the count by one. Not measured with `turnEventLoop: false`, nor on Windows.
   */
  descriptors?: number
  /** Event listeners left attached per call. Default 0.01 (one per hundred calls): clean code never moved it by one. */
  listeners?: number
}

export interface LeakOptions {
  /** Per-call budgets per metric. Growth at or below the budget passes. */
  budget?: LeakBudget
  /** Measured batches per pass (a full GC and a sample after each). Default 10, range 4–1000. */
  batches?: number
  /** Fix the calls per batch instead of calibrating from the function's speed. Range 1–10,000,000. */
  callsPerBatch?: number
  /** Calls before the first sample. Default: two batches' worth (at least what calibration ran). */
  warmupCalls?: number
  /**
   * Hard limit for the whole verdict in milliseconds: measurement, confirmation and diagnosis together. Default: under
   * Vitest (and Jest, where its state is readable) the running test's timeout less a fifth of it (at least 500 ms) and
   * the time the test already used; else 4000, which fits Jest's and Vitest's default 5 s timeout. A function too slow
   * for full sensitivity in that time gets the verdict its calls support, and the report says the smallest leak it
   * could see (`metrics.*.detectable`). Range 100–3,600,000. Under a runner, the lower of this and the test's time.
   */
  deadlineMs?: number
  /** An async call that does not settle within this many milliseconds fails the measurement. Default 5000. */
  callTimeoutMs?: number
  /**
   * Stops the measurement at the next call boundary when aborted (the leak assertion then throws a
   * `LeakMeasurementError` with code `'aborted'`). `@leakproof/vitest` passes the test's own signal.
   */
  signal?: AbortSignal
  /** Re-measure a suspected leak with more calls before calling it one. Default true. */
  confirm?: boolean
  /**
   * Let the event loop turn between batches (timers and immediates scheduled by the calls run before sampling).
   * `'auto'` (default) does it when a call schedules a timer or an immediate or creates a handle (a closed handle is
   * reported destroyed only when the event loop turns); the result is then a Promise.
   * `true` always does it, `false` never does (the result of a sync function is then always synchronous).
   */
  turnEventLoop?: boolean | 'auto'
  /**
   * Longest timer (ms) the harness waits for between batches when it lets the event loop turn. Default 1000,
   * range 0–60,000. Memory held by longer timers counts as retained.
   */
  settleTimersMs?: number
  /**
   * Heap + external growth (bytes) since the measurement started that stops it as a leak, with the figures so far.
   * Default 24 MiB, and never more than a quarter of the heap still free under the heap limit (`--max-old-space-size`).
   * A structure that legitimately fills more than this per measurement (a large cache) needs a warm-up first.
   */
  maxRetainedBytes?: number
  /**
   * Long-lived emitters whose listeners to count, besides `process` and any emitter the calls add listeners to
   * (which are found on their own). An array, or an object whose keys name them in the report: `{ bus: myBus }`.
   */
  emitters?: ReadonlyArray<EventEmitter | EventTarget> | Readonly<Record<string, EventEmitter | EventTarget>>
  /**
   * When a leak is confirmed, find what leaked, where it was allocated and what holds it (`report.diagnosis`).
   * Re-runs fn under the sampling heap profiler (a heap snapshot only as a fallback), within the deadline; the
   * passing path never does. Default true
   * (`{ depth: 'retainers' }`); `false` turns it off.
   */
  diagnose?: boolean | DiagnoseOptions
}

/** An emitter whose listeners are counted, with the name the report gives it. */
export interface WatchedEmitter {
  label: string
  target: EventEmitter | EventTarget
}

export interface ResolvedBudget {
  heap: number
  external: number
  handles: number
  descriptors: number
  listeners: number
}

export interface ResolvedOptions {
  budget: ResolvedBudget
  batches: number
  callsPerBatch: number | undefined
  warmupCalls: number | undefined
  /** Undefined: from the runner, or the default. */
  deadlineMs: number | undefined
  callTimeoutMs: number
  signal: AbortSignal | undefined
  confirm: boolean
  turnEventLoop: boolean | 'auto'
  settleTimersMs: number
  /** Undefined: the default (24 MiB, lowered to fit the free heap). */
  maxRetainedBytes: number | undefined
  emitters: WatchedEmitter[]
  diagnose: DiagnoseSettings | false
}

// handles / listeners: in 11 clean cases × 5 runs (sync, async, timers set and cleared, sockets and servers closed,
// once listeners that fire, on/off pairs) neither count moved by one in any sample, so any steady growth is real;
// one-time steps (a lazily created DNS channel) need a growth of 2 over a window and fade when re-measured.
// descriptors: the same rule: files opened and closed (sync and async), servers listened and closed, sockets
// destroyed never moved the open count by one in a sample once the event loop had turned.
export const DEFAULT_BUDGET: Readonly<ResolvedBudget> = Object.freeze({
  heap: 0.25,
  external: 0.25,
  handles: 0.01,
  descriptors: 0.01,
  listeners: 0.01,
})

export const DEFAULT_OPTIONS: Readonly<Omit<ResolvedOptions, 'budget' | 'emitters'>> = Object.freeze({
  batches: 10,
  callsPerBatch: undefined,
  warmupCalls: undefined,
  deadlineMs: undefined,
  callTimeoutMs: 5000,
  signal: undefined,
  confirm: true,
  turnEventLoop: 'auto',
  settleTimersMs: 1000,
  maxRetainedBytes: undefined,
  diagnose: Object.freeze({ depth: 'retainers', heapSnapshotPath: undefined, calls: undefined }),
})

interface NumberRule {
  min: number
  max: number
  integer: boolean
}

const NUMBER_RULES = {
  batches: { min: 4, max: 1000, integer: true },
  callsPerBatch: { min: 1, max: 10_000_000, integer: true },
  warmupCalls: { min: 0, max: 100_000_000, integer: true },
  deadlineMs: { min: 100, max: 3_600_000, integer: false },
  callTimeoutMs: { min: 1, max: 3_600_000, integer: false },
  settleTimersMs: { min: 0, max: 60_000, integer: false },
  maxRetainedBytes: { min: 1024 * 1024, max: Number.MAX_SAFE_INTEGER, integer: false },
} satisfies Record<string, NumberRule>

const BUDGET_RULE: NumberRule = { min: 0, max: Number.MAX_SAFE_INTEGER, integer: false }
const OPTION_KEYS = [
  ...Object.keys(NUMBER_RULES),
  'budget',
  'confirm',
  'turnEventLoop',
  'emitters',
  'diagnose',
  'signal',
]
/** Options of earlier versions, with what replaced them. */
const REPLACED_KEYS: Record<string, string> = {
  timeBudgetMs: 'deadlineMs (a hard limit for the whole verdict, diagnosis included)',
  runawayBytes: 'maxRetainedBytes (a cap on memory retained since the start)',
}
const BUDGET_KEYS = Object.keys(DEFAULT_BUDGET)

function checkNumber(name: string, value: unknown, rule: NumberRule): number {
  const kind = rule.integer ? 'an integer' : 'a number'
  const range = `from ${rule.min.toLocaleString('en-US')} to ${rule.max.toLocaleString('en-US')}`
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`leakproof: option ${name} must be ${kind} ${range}, got ${describeValue(value)}.`)
  }
  if ((rule.integer && !Number.isInteger(value)) || value < rule.min || value > rule.max) {
    throw new RangeError(`leakproof: option ${name} must be ${kind} ${range}, got ${value}.`)
  }
  return value
}

function unknownKeyError(where: string, key: string, known: string[]): RangeError {
  const replaced = where === '' ? REPLACED_KEYS[key] : undefined
  if (replaced) return new RangeError(`leakproof: option ${key} was replaced by ${replaced}.`)
  return new RangeError(`leakproof: unknown option ${where}${key}. Valid options are: ${known.join(', ')}.`)
}

function resolveBudget(value: unknown): ResolvedBudget {
  if (value === undefined) return { ...DEFAULT_BUDGET }
  if (!isPlainObject(value)) {
    throw new TypeError(
      `leakproof: option budget must be a plain object like { heap: 64 } (bytes or count per call), got ${describeValue(value)}.`,
    )
  }
  const budget: ResolvedBudget = { ...DEFAULT_BUDGET }
  for (const [key, entry] of Object.entries(value)) {
    if (!BUDGET_KEYS.includes(key)) throw unknownKeyError('budget.', key, BUDGET_KEYS)
    if (entry === undefined) continue
    budget[key as keyof ResolvedBudget] = checkNumber(`budget.${key}`, entry, BUDGET_RULE)
  }
  return budget
}

function isEmitterLike(value: unknown): value is EventEmitter | EventTarget {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Record<string, unknown>
  const isEmitter = typeof candidate.listenerCount === 'function' && typeof candidate.eventNames === 'function'
  return isEmitter || typeof candidate.addEventListener === 'function'
}

function resolveEmitters(value: unknown): WatchedEmitter[] {
  if ((!Array.isArray(value) && !isPlainObject(value)) || isEmitterLike(value)) {
    const got = isEmitterLike(value) ? 'a single emitter (wrap it: [emitter])' : describeValue(value)
    throw new TypeError(
      `leakproof: option emitters must be an array of EventEmitters or EventTargets, or an object naming them ` +
        `({ bus: myBus }), got ${got}.`,
    )
  }
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((target, index) => [`emitters[${index}]`, target])
    : Object.entries(value)
  return entries.map(([label, target]) => {
    if (!isEmitterLike(target)) {
      const where = Array.isArray(value) ? label : `emitters.${label}`
      throw new TypeError(
        `leakproof: option ${where} must be an EventEmitter or an EventTarget, got ${describeValue(target)}.`,
      )
    }
    return { label, target }
  })
}

const DIAGNOSE_DEPTHS: readonly DiagnoseDepth[] = ['sites', 'types', 'retainers']
const DIAGNOSE_KEYS = ['depth', 'heapSnapshotPath', 'calls']
const DIAGNOSE_CALLS_RULE: NumberRule = { min: 1, max: 1_000_000, integer: true }

function resolveDiagnose(value: unknown): DiagnoseSettings | false {
  if (value === false) return false
  const settings: DiagnoseSettings = { depth: 'retainers', heapSnapshotPath: undefined, calls: undefined }
  if (value === true) return settings
  if (!isPlainObject(value)) {
    throw new TypeError(
      `leakproof: option diagnose must be true, false or an object like { depth: 'retainers', heapSnapshotPath: ` +
        `'leak.heapsnapshot' }, got ${describeValue(value)}.`,
    )
  }
  for (const [key, entry] of Object.entries(value as DiagnoseOptions)) {
    if (!DIAGNOSE_KEYS.includes(key)) throw unknownKeyError('diagnose.', key, DIAGNOSE_KEYS)
    if (entry === undefined) continue
    if (key === 'depth') {
      if (!DIAGNOSE_DEPTHS.includes(entry as DiagnoseDepth)) {
        throw new RangeError(
          `leakproof: option diagnose.depth must be 'sites', 'types' or 'retainers', got ${describeValue(entry)}.`,
        )
      }
      settings.depth = entry as DiagnoseDepth
    } else if (key === 'heapSnapshotPath') {
      if (typeof entry !== 'string' || entry.length === 0) {
        throw new TypeError(
          `leakproof: option diagnose.heapSnapshotPath must be a non-empty file path, got ${describeValue(entry)}.`,
        )
      }
      settings.heapSnapshotPath = entry
    } else {
      settings.calls = checkNumber('diagnose.calls', entry, DIAGNOSE_CALLS_RULE)
    }
  }
  return settings
}

/** Validates user options and fills in defaults. Throws a TypeError or RangeError that names the key. */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === undefined) return { ...DEFAULT_OPTIONS, budget: { ...DEFAULT_BUDGET }, emitters: [] }
  if (!isPlainObject(options)) {
    throw new TypeError(
      `leakproof: options must be a plain object like { budget: { heap: 64 } }, got ${describeValue(options)}.`,
    )
  }
  const resolved: ResolvedOptions = { ...DEFAULT_OPTIONS, budget: resolveBudget(undefined), emitters: [] }
  for (const [key, value] of Object.entries(options)) {
    if (!OPTION_KEYS.includes(key)) throw unknownKeyError('', key, OPTION_KEYS)
    if (value === undefined) continue
    if (key === 'budget') {
      resolved.budget = resolveBudget(value)
    } else if (key === 'confirm') {
      if (typeof value !== 'boolean') {
        throw new TypeError(`leakproof: option confirm must be true or false, got ${describeValue(value)}.`)
      }
      resolved.confirm = value
    } else if (key === 'emitters') {
      resolved.emitters = resolveEmitters(value)
    } else if (key === 'diagnose') {
      resolved.diagnose = resolveDiagnose(value)
    } else if (key === 'signal') {
      if (!(value instanceof AbortSignal)) {
        throw new TypeError(`leakproof: option signal must be an AbortSignal, got ${describeValue(value)}.`)
      }
      resolved.signal = value
    } else if (key === 'turnEventLoop') {
      if (typeof value !== 'boolean' && value !== 'auto') {
        throw new TypeError(
          `leakproof: option turnEventLoop must be true, false or 'auto', got ${describeValue(value)}.`,
        )
      }
      resolved.turnEventLoop = value
    } else {
      const numericKey = key as keyof typeof NUMBER_RULES
      resolved[numericKey] = checkNumber(key, value, NUMBER_RULES[numericKey])
    }
  }
  return resolved
}
