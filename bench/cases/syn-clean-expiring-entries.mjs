// Pending entries removed by a short timer: memory is freed only when the event loop turns.
export const label = 'clean'
export const metric = 'heap'
export const reason = 'Stores a pending entry per call and deletes it from a 5 ms setTimeout (freed when timers run).'

const pending = new Map()
let id = 0
export function fn() {
  const key = id++
  pending.set(key, { key, body: 'x'.repeat(32) })
  setTimeout(() => pending.delete(key), 5)
}
