import { map, Subject } from 'rxjs'

export const label = 'clean'
export const metric = 'heap'
export const reason = 'rxjs@7: subscribe to a long-lived Subject through map(), receive a value, unsubscribe.'

const prices = new Subject()
let total = 0
export function fn() {
  const subscription = prices.pipe(map((p) => p * 2)).subscribe((p) => {
    total += p
  })
  prices.next(1)
  subscription.unsubscribe()
  return total
}
