/**
 * Requests per client in the current minute, the kind of limiter a small API puts in front of its handlers.
 * `createLeakyLimiter` keeps a counter for every client it ever saw; `createBoundedLimiter` keeps the most recent
 * `capacity` clients (a Map in insertion order is an LRU when a hit re-inserts its key).
 */
export function createLeakyLimiter(limit = 100) {
  const hits = new Map()
  return {
    allow(client) {
      const count = (hits.get(client) ?? 0) + 1
      hits.set(client, count)
      return count <= limit
    },
  }
}

export function createBoundedLimiter(limit = 100, capacity = 1000) {
  const hits = new Map()
  return {
    allow(client) {
      const count = (hits.get(client) ?? 0) + 1
      hits.delete(client)
      hits.set(client, count)
      if (hits.size > capacity) hits.delete(hits.keys().next().value)
      return count <= limit
    },
  }
}
