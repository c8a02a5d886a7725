// lru-cache with a short ttl and ttlAutopurge: entries are removed by timers, so memory is freed only when the
// event loop turns. Tools that never yield see it grow forever.
import { LRUCache } from 'lru-cache'

export const label = 'clean'
export const metric = 'heap'
export const reason = 'lru-cache@11 { max: 10000, ttl: 20 ms, ttlAutopurge }: a new key per call, purged by timers.'

const cache = new LRUCache({ max: 10_000, ttl: 20, ttlAutopurge: true })
let n = 0
export function fn() {
  n++
  cache.set(`session:${n}`, { user: n, roles: ['user'] })
  return cache.get(`session:${n - 1}`)
}
