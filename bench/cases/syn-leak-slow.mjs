// A slow leak: one object every 100 calls (~0.6 B/call), close to leakproof's 0.25 B/call budget.
export const label = 'leak'
export const metric = 'heap'
export const reason = 'Keeps one small object every 100 calls (an error sample that is never dropped).'
/** What a user needs named to find the bug: the user's fn, or the samples array. */
export const names = ['fn', 'samples']

const samples = []
let calls = 0
export function fn() {
  if (++calls % 100 === 0) samples.push({ calls })
}
