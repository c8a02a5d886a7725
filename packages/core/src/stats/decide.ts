/**
 * State of one metric after a pass. `suspect`: re-measure with more calls (a normal confirmation pass). `fading`:
 * the rate held over the span but the newest calls grow markedly slower — extend the horizon with a longer pass.
 */
export type MetricState = 'clean' | 'suspect' | 'fading' | 'leak'

/** A rate must hold at least this share of the previous pass's rate to count as a steady leak. */
export const HOLD_RATIO = 0.5

/**
 * A steady leak grows in the newest calls (the last pass's own window) at least at this share of the rate seen over
 * the span, before and including that pass. Leaks measured here read 0.74–1.5 of it at pass 2 (the low end from a
 * Map's table doubling outside the window); bounded structures still filling read 0–0.55 (luxon over ~30 runs, a
 * capped Map), and luxon's few readings of 0.65–0.85 came with growth within its batch noise (see SIGNIFICANCE).
 */
export const STEADY_RATIO = 0.6

/**
 * When the horizon cannot grow any more, a fading metric counts as levelled off (clean) only if its newest calls grow
 * at under this share of the span's rate — and also at under HOLD_RATIO of the fastest newest-calls rate of an
 * earlier pass, with the span's rate no longer rising. Otherwise it is still called a leak.
 */
export const FADED_RATIO = 1 / 3

/**
 * The newest calls' growth must be at least this many times the pass's batch-to-batch noise (the robust spread of
 * the growth from one batch to the next) before it can show a steady rate. Tens of KB of growth in a function whose
 * post-GC heap moves by ±20 KB from batch to batch (luxon) give a rate too rough to compare: luxon 1.22 (clean) read
 * 0–3.7 times its noise at pass 2 over 30 runs, luxon 1.21 (a 340 B/call leak in the same code) 5.6–35, cheap leaks
 * 200–10⁷. Under the threshold the horizon is extended: a leak's growth grows with the calls, the noise does not.
 */
export const SIGNIFICANCE = 5

/** Growth within the noise floor but above this share of it is worth another, longer pass. */
export const NEAR_FLOOR = 0.5

/** One pass's reading of a metric: its growth per call, and how far it stands out from noise. */
export interface PassReading {
  /** Growth per call over the judged window. */
  rate: number
  /** Total growth over the judged window (rate × calls in the window). Omit when noise is not an issue. */
  growth?: number
  /** Growth that noise alone can produce over a window. */
  floor?: number
  /**
   * For a confirmation pass judged on a span that starts in an earlier pass: the pass's own window (the newest
   * calls). A leak must stand out there too, and at a steady rate, or growth that is still filling a bounded
   * structure would carry over from the earlier passes. Omitted: the same as the reading itself.
   */
  own?: { rate: number; growth: number; noise?: number }
  /**
   * The median of the per-call growth from one reading to the next in the pass's own window, and its calls: robust to
   * a single step (a Map doubling its table) that inflates `rate`, so a leak under a step is still seen as one.
   */
  steady?: { rate: number; late: number; calls: number }
  /**
   * For a confirmation pass: the growth of the whole pass as it joins the span (from its first batch's reading to its
   * end, the first third included). A span rate that rose although the pass as a whole grew less than the noise
   * floor rose by the robust slope's arithmetic, not by growth.
   */
  passGrowth?: number
}

/** A metric's median batch-to-batch rate holds between two passes at least at this share: the growth is steady. */
export const STEADY_HOLD = 0.6

/**
 * The newest calls grow steadily: the last pass's median batch-to-batch rate is over budget, its growth over its own
 * window is above the floor, and it is at least STEADY_HOLD of the previous pass's. What a leak does under steps that
 * inflate the window rates; a structure that filled reads ~0 there, one filling more and more slowly (luxon) a third
 * of the previous pass's or less.
 */
function growsSteadily(current: PassReading, previous: PassReading | undefined, budget: number): boolean {
  const now = current.steady
  if (!now || now.rate <= budget || now.rate * now.calls < (current.floor ?? 0)) return false
  const before = previous?.steady
  return before !== undefined && before.rate > budget && now.rate >= before.rate * STEADY_HOLD
}

function standsOut(reading: PassReading, budget: number): boolean {
  return reading.rate > budget && (reading.growth === undefined || reading.growth >= (reading.floor ?? 0))
}

/**
 * Decides one metric from its readings in the passes so far (oldest first). `lastPass`: no normal confirmation
 * pass is left (passes 2 and 3 are the normal ones). `canExtend`: one more, longer pass still fits in the time left
 * before the deadline, the verdict's memory budget and the pass limit (see `nextPassCallsPerBatch` in
 * `engine/plan.ts`), for a metric that is fading.
 *
 * A pass *stands out* when its rate is over budget and its total growth is above the noise floor. Then:
 * - the last pass does not stand out: clean if it is under budget or its growth is under half the noise floor;
 *   otherwise (over budget, near the floor) suspect while normal passes remain, since the next pass has more calls,
 *   and clean when none do;
 * - only the last pass stands out: suspect while normal passes remain (re-measure with more calls), clean when none
 *   do — unless confirmation is off, which makes one pass enough;
 * - the rate over the span fell by more than half from the previous pass: suspect while normal passes remain, clean
 *   when none do (one-time growth and noise fade like 1/N as the calls grow);
 * - the rate held (at least half the previous one) and the newest calls — the last pass's own window — stand out,
 *   grow well above the pass's batch-to-batch noise (SIGNIFICANCE) and at least STEADY_RATIO of the span's rate
 *   (before and including this pass): **leak**. A real leak keeps its rate whatever the window;
 * - the rate held but the newest calls grow markedly slower, or too little above the noise to tell: **fading**. That
 *   is the signature of a bounded structure filling more slowly than the horizon seen so far (luxon's caches and compiled
 *   code grow ~20 B/call over the first 2,000 calls, ~5 B/call up to 7,000 and ~1 B/call after 10,000), and also of
 *   growth in steps (a Map doubling its table) whose step fell outside the window. The horizon is extended with
 *   longer passes while the caps allow: a filling structure keeps falling until its span rate halves (clean); a leak
 *   shows its next step, or its steady part, and holds (leak);
 * - fading, and the horizon cannot grow: clean only if everything says the growth levelled off — the newest calls
 *   grow at under FADED_RATIO of the span's rate (or within the noise), at under HOLD_RATIO of the fastest
 *   newest-calls rate of an earlier pass, and the span's rate did not rise in the last pass (a rise counts when
 *   that pass grew by the noise floor: see `spanRose`); otherwise leak.
 *
 * Why a steady leak is not lost: a leak of a fixed size per call reads the same rate over any window of calls, so its
 * span rate holds and its newest calls keep up with it — it is called a leak as soon as pass 2 confirms it, as before
 * this rule existed (the engine may still hold the verdict for one more, longer pass while that fits in the time and
 * the memory budget: see `furtherPassCallsPerBatch` in `engine/engine.ts`). Growth in steps can read low in one window;
 * the horizon is then extended (so the next step or the per-entry part shows) rather than cleared, and at the cap it is
 * cleared only when its newest rate has also fallen against every earlier pass and the span's rate is falling — what a
 * Map whose doublings all fell before the last window shares with a filled cache. A slow leak hidden under a larger
 * one-time fill (a leak of ~1 B/call under luxon's ~60 KB) is indistinguishable from the fill until the fill is
 * diluted: a longer deadline (`deadlineMs`, or a longer test timeout) shows it.
 */
export function decideMetric(
  readings: readonly PassReading[],
  budget: number,
  confirm: boolean,
  lastPass: boolean,
  canExtend = false,
): MetricState {
  const current = readings[readings.length - 1]
  if (current === undefined || current.rate <= budget) return 'clean'
  if (!standsOut(current, budget)) {
    // Far inside the noise: more calls would only confirm it. Near the floor: measure again with more calls.
    const nearFloor = current.growth !== undefined && current.growth >= (current.floor ?? 0) * NEAR_FLOOR
    return lastPass || !nearFloor ? 'clean' : 'suspect'
  }
  if (!confirm) return 'leak'
  const previous = readings[readings.length - 2]
  if (previous === undefined || !standsOut(previous, budget)) {
    if (!lastPass) return 'suspect'
    // The pass before had too few calls to stand out of the noise, and no further pass fits: the last pass confirms
    // on its own when its newest calls grow plainly and at least at the rate seen before (one-time growth and noise
    // fade as the calls grow; a leak keeps its rate).
    return previous !== undefined && confirmsAlone(current, previous, budget) ? 'leak' : 'clean'
  }
  if (current.rate < previous.rate * HOLD_RATIO) {
    // A step inside an earlier window (a Map doubling) inflated its rate; the steady part still grows: not fading.
    if (!lastPass) return 'suspect'
    if (!growsSteadily(current, previous, budget)) return plainlyGrowing(current, budget) ? 'leak' : 'clean'
    return canExtend ? 'fading' : 'leak'
  }
  const own = ownWindow(current)
  const ownStandsOut = standsOut({ ...own, floor: current.floor }, budget)
  const spanRate = Math.max(previous.rate, current.rate)
  const significant = standsOutOfBatchNoise(own)
  // The window's rate can carry a fill that ended inside it: its later half must still grow.
  const stillGrowing = current.steady === undefined || current.steady.late > budget
  if (ownStandsOut && significant && own.rate >= spanRate * STEADY_RATIO && stillGrowing) return 'leak'
  if (!lastPass || canExtend) return 'fading'
  const fastestEarlierOwn = Math.max(...readings.slice(0, -1).map((reading) => ownWindow(reading).rate))
  const levelledOff =
    !growsSteadily(current, previous, budget) &&
    (!ownStandsOut || own.rate < spanRate * FADED_RATIO) &&
    own.rate < fastestEarlierOwn * HOLD_RATIO &&
    !spanRose(current, previous)
  return levelledOff ? 'clean' : 'leak'
}

/**
 * The span's rate rose in the last pass, and that pass grew by at least the noise floor as it joined the span: a step
 * in its first third (a `Map` of numbers doubling its table outside the pass's own window). A flat pass after a large
 * early growth can still lift the robust slope of the span (more pairs of points across the early growth): that is
 * no rise (a TTL cache whose last pass read 0.03 B/call lifted its span from 0.56 to 2.96 B/call).
 */
function spanRose(current: PassReading, previous: PassReading): boolean {
  if (current.rate <= previous.rate) return false
  return current.passGrowth === undefined || current.passGrowth >= (current.floor ?? 0)
}

/**
 * The growth over the span is well out of the noise floor (SPAN_FLOORS), the last pass's own window grows past the
 * floor and well past its batch-to-batch noise (SIGNIFICANCE), at a rate within HOLD_RATIO of the earlier pass's
 * either way, and its later half still grows: the growth kept its rate as the calls grew, which one-time growth and
 * noise do not (a burst in the last pass alone reads far above the pass before).
 */
function confirmsAlone(current: PassReading, previous: PassReading, budget: number): boolean {
  const own = ownWindow(current)
  const floor = current.floor ?? 0
  const significant = standsOutOfBatchNoise(own)
  const stillGrowing = current.steady === undefined || current.steady.late > budget
  return (
    (current.growth ?? Number.POSITIVE_INFINITY) >= floor * SPAN_FLOORS &&
    own.rate > budget &&
    own.growth >= floor &&
    significant &&
    own.rate >= previous.rate * HOLD_RATIO &&
    previous.rate >= own.rate * HOLD_RATIO &&
    stillGrowing
  )
}

/**
 * Newest calls growing by this many noise floors, at a steady rate over budget to the end of the pass, are a leak
 * even when an earlier pass read a far higher rate (its first calls carried one-time costs: an async fn behind
 * setTimeout(0) read 546 then 92 B/call). Filling structures fade below it: luxon's third pass grew ~1.4 floors.
 */
export const PLAIN_GROWTH_FLOORS = 4

function plainlyGrowing(current: PassReading, budget: number): boolean {
  const own = ownWindow(current)
  const steady = current.steady
  if (!steady || steady.rate <= budget || steady.late <= budget) return false
  const significant = standsOutOfBatchNoise(own)
  return own.rate > budget && own.growth >= (current.floor ?? 0) * PLAIN_GROWTH_FLOORS && significant
}

/** The span's growth must be at least this many noise floors for the last pass to confirm on its own. */
const SPAN_FLOORS = 2

/** The own window's growth is well past its batch-to-batch noise (SIGNIFICANCE), or that noise was not measured. */
function standsOutOfBatchNoise(own: { growth: number; noise?: number }): boolean {
  return own.noise === undefined || own.growth >= own.noise * SIGNIFICANCE
}

function ownWindow(reading: PassReading): { rate: number; growth: number; noise?: number } {
  return reading.own ?? { rate: reading.rate, growth: reading.growth ?? Number.POSITIVE_INFINITY }
}
