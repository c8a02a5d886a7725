import type { LeakDiagnosis } from './diagnose/types.js'

/** The things leakproof measures. */
export type MetricName = 'heap' | 'external' | 'handles' | 'descriptors' | 'listeners'

export const METRIC_NAMES: readonly MetricName[] = ['heap', 'external', 'handles', 'descriptors', 'listeners']

export interface MetricResult {
  /**
   * Growth per measured call: bytes for heap and external, a count for handles, descriptors and listeners. After confirmation
   * passes, the rate from pass 1's judged window to the end of the last pass — except for a metric that passed
   * although that rate is over budget (its growth faded): then the rate of the last pass's own window.
   */
  perCall: number
  /** The budget it was judged against, same unit. */
  budget: number
  /** True when `perCall` passed the budget and the growth held its rate when re-measured. */
  exceeded: boolean
  /** `'B'` (bytes) or `'count'`. */
  unit: 'B' | 'count'
  /**
   * False when this metric was not measured in this run (its figures are then 0): handles and descriptors with
   * `turnEventLoop: false`, descriptors where the OS does not list them (Windows) or no descriptor was free to read
   * them. A report written before a metric existed lacks it: read it as not measured.
   */
  measured: boolean
  /**
   * The smallest growth per call that would have stood out of the noise over the calls this verdict is judged on,
   * same unit. At or under `budget` the run had the default sensitivity; over it (a slow fn, a short deadline) a
   * leak between `budget` and this figure could pass unseen, and the report says what deadline would see it.
   */
  detectable: number
}

/** Why a measurement stopped. */
export type StopReason =
  /** The evidence decided it. */
  | 'decided'
  /** The deadline came first: the verdict is what the calls so far support. */
  | 'time'
  /** Memory retained since the start passed `maxRetainedBytes`: a leak, stopped early. */
  | 'cap'
  /** The heap neared its limit (`--max-old-space-size`): a leak, stopped before an out-of-memory crash. */
  | 'heap-limit'
  /** File descriptors opened since the start passed `limits.maxDescriptors`: a leak, stopped before none is left. */
  | 'descriptors'

/** The limits a verdict ran under, and which one ended it. */
export interface LeakLimits {
  /** Time limit of the whole verdict (measurement, confirmation and diagnosis), ms. */
  deadlineMs: number
  /** Where the deadline came from: the `deadlineMs` option, the running test's timeout, or the default. */
  deadlineSource: 'option' | 'vitest' | 'jest' | 'default'
  /** Cap on heap + external growth since the measurement started, bytes (the option, lowered to fit the heap). */
  maxRetainedBytes: number
  stop: StopReason
  /** Post-GC heap + external bytes retained since the start, when the cap or the heap limit stopped the run. */
  retainedAtStop?: number
  /**
   * Growth of open descriptors since the start that stops the run as a leak: 1,024, or a quarter of the descriptors
   * still free under the process's limit when fewer. Absent when descriptors are not measured.
   */
  maxDescriptors?: number
  /** Descriptors opened since the start and still open, when they stopped the run. */
  descriptorsAtStop?: number
  /** Mean wall time of one call of fn, ms. */
  msPerCall: number
}

/** A post-GC reading taken after a batch. */
export interface LeakSample {
  /** Calls made in this pass when the sample was taken. */
  calls: number
  /** JS heap bytes in use after full GC, compiled code excluded (V8 compiles in steps that look like growth). */
  heap: number
  /** `external` (includes ArrayBuffers and Buffers) after full GC, bytes. */
  external: number
  /** Handles and requests created by the calls and still alive (0 when handles are not measured). */
  handles: number
  /**
   * Open file descriptors less those open at the start (0 when descriptors are not measured; absent in reports
   * written before they were).
   */
  descriptors: number
  /** Listeners added by the calls and not removed (0 when listeners are not measured). */
  listeners: number
}

/** A handle type that grew per call. */
export interface HandleDetail {
  /** `async_hooks` resource type: `Timeout`, `TCPSERVERWRAP`, `TCPWRAP`, `UDPWRAP`, `FSEVENTWRAP`, `PROCESSWRAP`… */
  type: string
  /** Growth of live handles of this type per call, over the judged window of the last pass. */
  perCall: number
  /** Live handles of this type that the calls created, at the last sample. */
  live: number
  /** Where some of the live ones were created: first stack frame outside Node.js and leakproof. */
  stacks: string[]
}

/** File descriptors of one kind (and, for files, one path pattern) that the calls left open. */
export interface DescriptorDetail {
  /**
   * `file` (a path: regular file, directory or device), `socket`, `pipe`, `anon_inode` (Linux: `eventpoll`,
   * `eventfd`, `inotify`…); on macOS, which gives no path, `file`, `socket`, `pipe`, `directory`, `device`.
   */
  kind: string
  /** A file's path with runs of digits as `*` (`/tmp/log-*.txt`); an anonymous inode's name; else empty. */
  target: string
  /** One path of the group as it is, for files. */
  example: string
  /** Descriptors of this group open at the end and not at the start, per call made (warm-up included). */
  perCall: number
  /** Descriptors of this group open at the end and not at the start. */
  open: number
}

/** An event whose listeners grew per call on one kind of target. */
export interface ListenerDetail {
  /** `process`, the constructor name of the emitter (`EventEmitter`, `Server`, `AbortSignal`…) or its `emitters` label. */
  target: string
  /** Event name (`String(symbol)` for a symbol). */
  event: string
  /** Growth of listeners on this target and event per call, over the judged window of the last pass. */
  perCall: number
  /** Listeners added by the calls and not removed, at the last sample. */
  added: number
  /** Where some were added: first stack frame outside Node.js and leakproof. */
  stacks: string[]
}

/** What grew, by type or event, for the count metrics. Only entries that grew are listed, fastest first. */
export interface LeakDetails {
  handles: HandleDetail[]
  /** Filled in when descriptors leaked (labelling costs ~5 µs a descriptor); absent in older reports. */
  descriptors: DescriptorDetail[]
  listeners: ListenerDetail[]
}

/** One pass: a baseline sample and one sample per batch. The first pass judges, later ones confirm. */
export interface LeakPass {
  callsPerBatch: number
  samples: LeakSample[]
  /** Index of the first sample of the judged window (the later two thirds of the pass). */
  windowStart: number
  /** Growth per call in this pass's judged window, per metric. */
  rates: Record<MetricName, number>
  /**
   * Growth per call from the start of pass 1's judged window to the end of this pass, per metric: what a
   * confirmation pass is judged on (equal to `rates` for pass 1).
   */
  cumulativeRates?: Record<MetricName, number>
  durationMs: number
  /**
   * True when the pass was cut short because memory retained since the start passed the cap (`maxRetainedBytes`), the
   * heap neared its limit, or descriptors opened since the start passed `limits.maxDescriptors`.
   */
  runaway: boolean
}

export interface LeakReport {
  /** True when at least one metric exceeded its budget. */
  leaked: boolean
  /** Calls made in the measured passes (warm-up excluded). */
  calls: number
  /** Calls made before the first sample (calibration and warm-up). */
  warmupCalls: number
  /** Wall time of the whole measurement, milliseconds. */
  durationMs: number
  /** `'async'` when fn returned a thenable; `'sync'` otherwise. */
  mode: 'sync' | 'async'
  /** True when the harness let the event loop turn between batches (async fn, or timers scheduled). */
  turnedEventLoop: boolean
  metrics: Record<MetricName, MetricResult>
  passes: LeakPass[]
  /** Handle types and listener events that grew, with creation sites. */
  details: LeakDetails
  /** One sentence that explains the verdict. */
  verdict: string
  /** The deadline and memory cap it ran under, and what stopped it. */
  limits: LeakLimits
  /** Node.js version that measured it. */
  nodeVersion: string
  /** What leaked, where it was allocated and what holds it: present when leaked and the `diagnose` option is on. */
  diagnosis?: LeakDiagnosis
  /** The assertion that measured it, when a test runner's adapter ran it: test, file, line, which `toLeak` of the test. */
  assertion?: LeakAssertion
  /** How the known-leaks baseline judged this `.not.toLeak()`: present when a baseline file (or an update) was in effect. */
  baseline?: BaselineMatch
}

/** Where a `toLeak` ran: the adapters fill it in from the runner. */
export interface LeakAssertion {
  /** The runner's full test name (Vitest: `suite > test`; Jest: titles joined by spaces, as `-t` matches them). */
  test: string
  /** Absolute path of the test file. */
  file: string
  /** Line of the assertion in the test file's source, when the stack showed it. */
  line?: number
  /** Which `toLeak` of the test, from 1. */
  index: number
}

/** A leak looked up in the known-leaks baseline (`leakproof-baseline.json`). */
export interface BaselineMatch {
  /** The baseline file, absolute. */
  file: string
  /** Its key: test file (relative to the baseline's folder, `/`-separated), full test name, assertion index. */
  key: { file: string; test: string; index: number }
  /**
   * `known`: the entry's metrics, and none over them by more than the tolerance: the assertion passes. `worse`: an
   * entry exists, but a metric grew past it (or a metric it lacks leaks). `new`: no entry. `clean`: no leak (with
   * `known` set, the entry is stale: its leak is gone).
   */
  status: 'known' | 'worse' | 'new' | 'clean'
  /** The assertion passed because of the baseline: a known leak, or one an update (`LEAKPROOF_UPDATE`) records. */
  accepted: boolean
  /** The entry's per-call figures (bytes for heap and external, counts for handles, descriptors and listeners). */
  known?: Partial<Record<MetricName, number>>
  /** The most each metric may read and still count as known. */
  allowed?: Partial<Record<MetricName, number>>
  /** The metrics over their allowance, for `worse`. */
  worse?: MetricName[]
}
