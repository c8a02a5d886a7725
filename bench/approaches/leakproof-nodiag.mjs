// (d) leakproof with `diagnose: false`. Not the same verdict as (c) minus its diagnosis: with diagnosis on, the
// deadline plan (packages/core/src/engine/plan.ts, planTime) keeps up to 30% of the deadline for it, so the calls
// stop earlier and the first pass is sized from a shorter measurement. Issue 14's leak target is this verdict.
import { detectWith } from './leakproof.mjs'

export const name = 'leakproof (diagnose: false)'
export const nodeFlags = []

export function detect(testCase) {
  return detectWith(testCase, { diagnose: false })
}
