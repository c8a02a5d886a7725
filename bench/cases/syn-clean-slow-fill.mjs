// A bounded structure that fills more slowly than a first look at it: one entry every 8 calls into a Map capped at
// 90,000 entries, then nothing more. ~8 B/call over the first 720,000 calls, 0 after. With default options on a cheap
// function the cap falls inside leakproof's second pass, so two passes in a row see a steady rate over budget (the
// shape of pkg-luxon-1.22.0-fixed, whose caches and compiled code level off after ~30,000 calls). Same code as
// packages/core/bench/cases.mjs (SLOW_FILL).
export const label = 'clean'
export const metric = 'heap'
export const reason = 'Map capped at 90,000 entries, one new entry every 8 calls: fills over 720,000 calls, then flat.'

const CAP = 90_000
const EVERY = 8
const entries = new Map()
let n = 0
export function fn() {
  n++
  if (n % EVERY === 0 && entries.size < CAP) entries.set(n, { n })
}
