// Polymorphic code that V8 optimises, deoptimises and re-optimises as new shapes appear.
export const label = 'clean'
export const metric = 'heap'
export const reason = 'Calls a function with 40 object shapes in turn: tier-up and deopts, no data retained.'

const makers = Array.from({ length: 40 }, (_, k) => new Function('v', `return { v, f${k}: v + ${k} }`))
function sum(object) {
  let total = 0
  for (const key in object) total += object[key]
  return total
}
let n = 0
export function fn() {
  return sum(makers[n++ % makers.length](n))
}
