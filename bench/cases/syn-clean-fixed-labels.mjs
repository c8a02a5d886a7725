// A metrics counter (prom-client style) keyed by its label values: 4 methods × 5 statuses, 20 series in all. The key
// string is built per call; the Map never holds more than 20 entries (issue 14: called a leak under load).
export const label = 'clean'
export const metric = 'heap'
export const reason =
  'Counter Map keyed by a fixed set of 20 label combinations, one increment per call: 20 entries forever.'

const METHODS = ['GET', 'POST', 'PUT', 'DELETE']
const STATUSES = [200, 201, 404, 500, 503]
const series = new Map()
let n = 0
export function fn() {
  const method = METHODS[n % METHODS.length]
  const status = STATUSES[Math.floor(n / METHODS.length) % STATUSES.length]
  n++
  const key = `method="${method}",status="${status}"`
  let counter = series.get(key)
  if (counter === undefined) {
    counter = { labels: { method, status }, value: 0 }
    series.set(key, counter)
  }
  counter.value++
}
