// Allocation-heavy code whose results are all garbage after the call.
export const label = 'clean'
export const metric = 'heap'
export const reason = 'Builds 20 row objects, strings and arrays per call and drops them.'

export function fn() {
  const rows = []
  for (let i = 0; i < 20; i++) rows.push({ id: i, label: `row ${i}`, tags: [i, i + 1] })
  return rows.map((row) => row.label).join(',').length
}
