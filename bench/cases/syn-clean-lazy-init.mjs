// A lookup table built on first use (~0.5 MB), then only read.
export const label = 'clean'
export const metric = 'heap'
export const reason = 'Builds a 10k-entry lookup table on the first call only, then reads it.'

let table
let n = 0
export function fn() {
  table ??= new Map(Array.from({ length: 10_000 }, (_, i) => [i, `entry ${i}`]))
  return table.get(n++ % 10_000)
}
