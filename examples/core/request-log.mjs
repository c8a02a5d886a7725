/**
 * An in-memory log of recent requests, the kind a service keeps for a /debug page.
 * `createLeakyLog` keeps every entry forever; `createRingLog` keeps the last `capacity` entries.
 */
export function createLeakyLog() {
  const entries = []
  return {
    record(method, path) {
      entries.push({ at: Date.now(), method, path })
    },
    recent: (count) => entries.slice(-count),
  }
}

export function createRingLog(capacity = 500) {
  const entries = new Array(capacity)
  let next = 0
  return {
    record(method, path) {
      entries[next % capacity] = { at: Date.now(), method, path }
      next++
    },
    recent: (count) => {
      const result = []
      for (let i = Math.max(0, next - count); i < next; i++) result.push(entries[i % capacity])
      return result
    },
  }
}
