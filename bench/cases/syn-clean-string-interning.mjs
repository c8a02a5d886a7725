// Property names built at run time get internalised; a bounded set of names plateaus.
export const label = 'clean'
export const metric = 'heap'
export const reason =
  'Uses one of 2000 computed property names per call on a temporary object (internalised once each).'

let n = 0
export function fn() {
  const record = {}
  record[`field_${n++ % 2000}`] = n
  return Object.keys(record).length
}
