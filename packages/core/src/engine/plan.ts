import type { ResolvedBudget } from '../options.js'
import type { LeakPass } from '../report.js'
import { METRIC_NAMES } from '../report.js'
import { steadyRate } from '../stats/span.js'
import { clamp } from '../util.js'

/** Calibration doubles the calls until they have taken this long. */
export const CALIBRATION_MS = 5
/**
 * Enough to time a cheap call (4,096 calls of 20 ns take 80 µs); more would only grow a leak before pass 1 and push
 * the first doubling of a growing Map or array past its window (see HORIZON_GROWTH).
 */
export const MAX_CALIBRATION_CALLS = 4096
/** Chunks of 1, 2, 4 and 8 calls at least; batches are sized from the fastest (warmest) chunk. */
export const MIN_CALIBRATION_CHUNKS = 4
/** More calls per batch add time, not sensitivity, once the window holds SENSITIVITY_MARGIN × floor / budget calls. */
const MAX_CALLS_PER_BATCH = 50_000
/**
 * The first pass's judged window aims at this many times the calls whose growth at the budget equals the noise floor
 * (4 KiB / 0.25 B = 16,384 calls for sync heap): a leak at the budget then stands out by 2× and clean code's noise
 * reads at most half the budget, so a clean verdict needs no second pass.
 */
const SENSITIVITY_MARGIN = 2
/** The first pass may take this share of the time the measurement has (most clean verdicts are that one pass)... */
const PASS1_SHARE = 1 / 10
/** ...within these bounds, ms. */
const PASS1_MIN_MS = 40
const PASS1_MAX_MS = 300
/** Pass 1 judges; passes 2 and 3 confirm; a metric still fading after pass 3 gets extension passes, up to this many. */
export const CONFIRM_PASSES = 3
export const MAX_PASSES = 6

/** The time a measurement may spend, as clock times. */
export interface TimePlan {
  startedAt: number
  /** The calls stop here: what follows (a last reading, the report, the diagnosis) fits before the deadline. */
  measureEndsAt: number
  /**
   * A verdict still pending (a leak suspected, not yet confirmed) may run its calls up to here, into the time kept
   * for the diagnosis: a right verdict matters more than its explanation.
   */
  verdictEndsAt: number
  /** A reading taken again (one out of line with its pass) must end by here: half the last reading's reserve. */
  readingsEndAt: number
  /** The first pass's calls should take about this long. */
  pass1Ms: number
}

/**
 * Splits the deadline: the diagnosis of a leak (if on) gets up to 30% of it and at most 2 s, the last reading a
 * small reserve, the measurement the rest; the first pass a tenth of the measurement (40–300 ms).
 */
export function planTime(startedAt: number, deadlineMs: number, diagnose: boolean): TimePlan {
  const diagnosisReserve = diagnose ? Math.min(2000, deadlineMs * 0.3) : 0
  const sampleReserve = Math.min(250, deadlineMs * 0.05)
  const measureMs = Math.max(deadlineMs * 0.5, deadlineMs - diagnosisReserve - sampleReserve)
  const verdictEndsAt = startedAt + Math.max(measureMs, deadlineMs - sampleReserve)
  return {
    startedAt,
    measureEndsAt: startedAt + measureMs,
    verdictEndsAt,
    readingsEndAt: verdictEndsAt + sampleReserve / 2,
    pass1Ms: clamp(measureMs * PASS1_SHARE, PASS1_MIN_MS, PASS1_MAX_MS),
  }
}

/** Calls in the first pass's judged window for the sensitivity target of every metric. */
export function sensitivityCalls(budget: ResolvedBudget, floorOf: (metric: (typeof METRIC_NAMES)[number]) => number) {
  let calls = 1
  for (const metric of METRIC_NAMES) {
    const perCallBudget = Math.max(budget[metric], 1e-9)
    calls = Math.max(calls, (SENSITIVITY_MARGIN * floorOf(metric)) / perCallBudget)
  }
  return Math.ceil(calls)
}

/**
 * Calls per batch of the first pass: enough for the sensitivity target in its judged window (the later two thirds),
 * fewer when that would take longer than `pass1Ms`.
 */
export function firstPassCallsPerBatch(
  msPerCall: number,
  batches: number,
  windowCallsWanted: number,
  pass1Ms: number,
): number {
  const windowBatches = batches - Math.floor(batches / 3)
  const bySensitivity = Math.ceil(windowCallsWanted / windowBatches)
  const byTime = Math.floor(pass1Ms / (batches * Math.max(msPerCall, 1e-6)))
  return clamp(Math.min(bySensitivity, byTime), 1, MAX_CALLS_PER_BATCH)
}

/**
 * Soft budget for the heap growth a verdict leaves behind (warm-up and passes together): passes are sized to stay in
 * it. A leak test's growth stays in the process for every later test of the file, whose GCs then walk it (~1.4 ms
 * per MB live): a leak of 64 B/call is plain after 1 MiB, confirmed well within 4 MiB. The hard cap
 * (maxRetainedBytes) is what stops a run; this one only sizes it.
 */
export const VERDICT_GROWTH_BYTES = 4 * 1024 * 1024
/** The warm-up's share of it, judged by calibration's growth per call; never under WARMUP_MIN_CALLS calls. */
export const WARMUP_MEMORY_SHARE = 0.15
export const WARMUP_MIN_CALLS = 1000
/** Pass 1 is not sized past this projected growth, from the warm-up's growth per call. */
const PASS1_GROWTH_BYTES = 1024 * 1024
/**
 * A clean verdict over too few calls to see a leak of this many bytes per call gets more calls while they fit in the
 * time (a slow fn): one leaked object per call is 16 B or more. Finer sensitivity, down to the budget, is sought only
 * in the first SENSITIVITY_TIME_SHARE of the measurement's time.
 */
export const COARSE_SENSITIVITY = 16
export const SENSITIVITY_TIME_SHARE = 0.25
/** ...but never under this many calls per batch: the horizon must outlast caches of a few thousand entries. */
const PASS1_MIN_CALLS_PER_BATCH = 200

/**
 * Pass 1 covers at least this many times the calls before it (calibration and warm-up), so its judged window (its
 * later two thirds) spans a doubling of the calls made: growth in steps at 2^k entries shows in it. Sized by
 * sensitivity pass 1 is larger anyway; the rule matters when memory sizes it down (then the warm-up grew, and a
 * clean-looking pass 1 is confirmed, see `engine.ts`) or when calibration ran many calls.
 */
export const PASS1_HORIZON_GROWTH = 3

/**
 * Calls per batch that keep pass 1's projected growth under PASS1_GROWTH_BYTES, given the warm-up's growth per call:
 * a leak of 64 B/call stands out of a 4 KiB floor 256 times over in 1 MiB, so more calls only grow the heap that
 * every GC and the diagnosis's snapshot must walk.
 */
export function firstPassByMemory(warmupGrowthPerCall: number, batches: number): number {
  if (warmupGrowthPerCall <= 0) return MAX_CALLS_PER_BATCH
  return Math.max(PASS1_MIN_CALLS_PER_BATCH, Math.floor(PASS1_GROWTH_BYTES / (batches * warmupGrowthPerCall)))
}

/**
 * A confirmation or extension pass covers at least this many times the calls made before it (warm-up included), so
 * the span grows geometrically: growth in steps — a Map or an array doubling its backing store at 2^k entries, i.e.
 * at call counts that double — always has a step inside the new pass's judged window (its later two thirds, from 2×
 * to 4× the calls before it), and a bounded structure that filled up shows as flat there.
 */
const HORIZON_GROWTH = 3

/**
 * Calls per batch of a confirmation (or extension) pass: HORIZON_GROWTH × the calls so far, fewer when the time left
 * or the verdict's memory budget would not hold them — but not fewer than the previous pass while that fits in the
 * time and in half of what the hard cap has left. Undefined when not even that fits.
 */
export function nextPassCallsPerBatch(
  previous: LeakPass,
  callsSoFar: number,
  remainingMs: number,
  batches: number,
  memoryLeft: { budget: number; cap: number },
): number | undefined {
  const wanted = Math.max(previous.callsPerBatch * 2, Math.ceil((HORIZON_GROWTH * callsSoFar) / batches))
  const msPerBatchCall = previous.durationMs / Math.max(1, previous.callsPerBatch)
  const byTime = msPerBatchCall > 0 ? Math.floor(remainingMs / msPerBatchCall) : wanted
  // The steady (median batch-to-batch) rate: a leak's memory cost. Growth in steps reads ~0 there, so its passes keep
  // growing geometrically (only the hard cap holds them), which is what makes its next step show.
  const bytesPerCall = Math.max(steadyRate(previous, 'heap').rate + steadyRate(previous, 'external').rate, 0) * batches
  const byBudget = bytesPerCall > 0 ? Math.floor(memoryLeft.budget / bytesPerCall) : wanted
  const byCap = bytesPerCall > 0 ? Math.floor(memoryLeft.cap / bytesPerCall) : wanted
  const perBatch = Math.min(wanted, byTime, Math.max(byBudget, Math.min(previous.callsPerBatch, byCap)))
  if (perBatch >= previous.callsPerBatch) return perBatch
  // The time left holds at least half a pass of the previous size: run it (the deadline cuts it short).
  return byTime >= previous.callsPerBatch / 2 && byCap >= previous.callsPerBatch ? previous.callsPerBatch : undefined
}
