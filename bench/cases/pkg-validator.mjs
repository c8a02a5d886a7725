import validator from 'validator'

export const label = 'clean'
export const metric = 'heap'
export const reason = 'validator@13: isEmail and isURL on a new input string per call.'

let n = 0
export function fn() {
  n++
  return validator.isEmail(`user${n}@example.com`) && validator.isURL(`https://example.com/items/${n}?q=${n}`)
}
