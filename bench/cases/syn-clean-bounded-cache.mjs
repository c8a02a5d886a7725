// A cache with FIFO eviction at 5000 entries, fed unique keys: it fills, then stays flat.
export const label = 'clean'
export const metric = 'heap'
export const reason = 'Map cache capped at 5000 entries (oldest evicted) fed a new key per call: fills, then plateaus.'

const CAP = 5000
const cache = new Map()
let id = 0
export function fn() {
  const key = `user:${id++}`
  cache.set(key, { key, name: 'x' })
  if (cache.size > CAP) cache.delete(cache.keys().next().value)
}
