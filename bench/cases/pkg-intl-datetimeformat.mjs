// A new Intl.DateTimeFormat per call: slow (ICU objects) but collectable on Node 20. nodejs/node#57213 reports
// a leak for this pattern on Node 22+ only; the reference checks it on the Node that runs the bench.
export const label = 'clean'
export const metric = 'heap'
export const reason =
  'new Intl.DateTimeFormat(...).format(date) per call (ICU formatter per call, freed by GC on Node 20).'

const start = Date.UTC(2024, 0, 1)
let n = 0
export function fn() {
  n++
  return new Intl.DateTimeFormat('de-DE', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(
    start + n * 60_000,
  )
}
