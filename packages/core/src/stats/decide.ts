/** State of one metric after a pass. */
export type MetricState = 'clean' | 'suspect' | 'leak'

/** A rate must hold at least this share of the previous pass's rate to count as a steady leak. */
export const HOLD_RATIO = 0.5

/**
 * Decides one metric from the per-call rates of the passes so far (oldest first).
 *
 * - at or under budget: clean;
 * - over budget on the first pass: suspect (re-measure with more calls), unless confirmation is off;
 * - over budget and holding at least half of the previous pass's rate: leak, since a real leak keeps its rate
 *   while one-time growth and noise fade like 1/N as the calls per batch grow;
 * - over budget but fading: suspect while passes remain, clean when none do.
 */
export function decideMetric(
  rates: readonly number[],
  budget: number,
  confirm: boolean,
  lastPass: boolean,
): MetricState {
  const current = rates[rates.length - 1]
  if (current === undefined || current <= budget) return 'clean'
  const previous = rates[rates.length - 2]
  if (previous === undefined) return confirm && !lastPass ? 'suspect' : 'leak'
  if (current >= previous * HOLD_RATIO) return 'leak'
  return lastPass ? 'clean' : 'suspect'
}
