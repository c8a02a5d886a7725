// A real LRU (lru-cache, max 5000) fed a new key per call and read back: it fills over the first 5,000 calls,
// then evicts one entry per call. Larger than a first pass of a few thousand calls (issue 14: such caches were
// called leaks under load).
import { LRUCache } from 'lru-cache'

export const label = 'clean'
export const metric = 'heap'
export const reason =
  'lru-cache@11 LRUCache({ max: 5000 }) fed a unique key per call: fills at 5,000 entries, then evicts.'

const cache = new LRUCache({ max: 5000 })
let id = 0
export function fn() {
  const key = `user:${id++}`
  cache.set(key, { key, name: 'x' })
  // A recent entry read back, as a cache is used: it moves to the front.
  return cache.get(`user:${Math.max(0, id - 100)}`)
}
