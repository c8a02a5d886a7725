// A queue of the 4096 most recent events: the backing store grows by doubling, then is reused.
export const label = 'clean'
export const metric = 'heap'
export const reason = 'Keeps the 4096 most recent items (push + shift): amortised array growth, then flat.'

const recent = []
let n = 0
export function fn() {
  recent.push(n++)
  if (recent.length > 4096) recent.shift()
}
