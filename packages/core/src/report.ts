/** The four things leakproof measures. */
export type MetricName = 'heap' | 'external' | 'handles' | 'listeners'

export const METRIC_NAMES: readonly MetricName[] = ['heap', 'external', 'handles', 'listeners']

export interface MetricResult {
  /** Growth per measured call: bytes for heap and external, a count for handles and listeners. */
  perCall: number
  /** The budget it was judged against, same unit. */
  budget: number
  /** True when `perCall` passed the budget and the growth held its rate when re-measured. */
  exceeded: boolean
  /** `'B'` (bytes) or `'count'`. */
  unit: 'B' | 'count'
  /** False when this metric was not measured in this run (its figures are then 0). */
  measured: boolean
}

/** A post-GC reading taken after a batch. */
export interface LeakSample {
  /** Calls made in this pass when the sample was taken. */
  calls: number
  /** `heapUsed` after full GC, bytes. */
  heap: number
  /** `external` (includes ArrayBuffers and Buffers) after full GC, bytes. */
  external: number
}

/** One pass: a baseline sample and one sample per batch. The first pass judges, later ones confirm. */
export interface LeakPass {
  callsPerBatch: number
  samples: LeakSample[]
  /** Index of the first sample of the judged window (the later two thirds of the pass). */
  windowStart: number
  /** Growth per call in the judged window, per metric. */
  rates: Record<MetricName, number>
  durationMs: number
  /** True when the pass was cut short because memory grew past `runawayBytes`. */
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
  /** One sentence that explains the verdict. */
  verdict: string
  /** Node.js version that measured it. */
  nodeVersion: string
}
