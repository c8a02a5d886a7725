/** State of one metric after a pass. */
export type MetricState = 'clean' | 'suspect' | 'leak'

/** A rate must hold at least this share of the previous pass's rate to count as a steady leak. */
export const HOLD_RATIO = 0.5

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
   * For a confirmation pass judged on a span that starts in an earlier pass: the pass's own window. A leak must
   * stand out there too, or growth that is still filling a bounded structure would carry over from the earlier pass.
   */
  own?: { rate: number; growth: number }
}

function standsOut(reading: PassReading, budget: number): boolean {
  return reading.rate > budget && (reading.growth === undefined || reading.growth >= (reading.floor ?? 0))
}

/**
 * Decides one metric from its readings in the passes so far (oldest first).
 *
 * A pass *stands out* when its rate is over budget and its total growth is above the noise floor. Then:
 * - the last pass does not stand out: clean if it is under budget or its growth is under half the noise floor;
 *   otherwise (over budget, near the floor) suspect while passes remain, since the next pass has more calls, and
 *   clean when none do;
 * - only the last pass stands out: suspect while passes remain (re-measure with more calls), clean when none do —
 *   unless confirmation is off, which makes one pass enough;
 * - the last two passes stand out, the rate held at least half its value and the last pass's own window stands out
 *   too: leak, because a real leak keeps its rate while one-time growth and noise fade like 1/N as the calls per
 *   batch grow;
 * - both stand out but the rate fell by more than half: suspect while passes remain, clean when none do.
 */
export function decideMetric(
  readings: readonly PassReading[],
  budget: number,
  confirm: boolean,
  lastPass: boolean,
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
  if (previous === undefined || !standsOut(previous, budget)) return lastPass ? 'clean' : 'suspect'
  const ownStandsOut = !current.own || standsOut({ ...current.own, floor: current.floor }, budget)
  if (current.rate >= previous.rate * HOLD_RATIO && ownStandsOut) return 'leak'
  return lastPass ? 'clean' : 'suspect'
}
