// The most common rxjs leak: subscribing per call to a long-lived Subject and never unsubscribing.
import { map, Subject } from 'rxjs'

export const label = 'leak'
export const metric = 'heap'
export const reason = 'rxjs@7: subscribes per call to a long-lived Subject through map() and never unsubscribes.'

const prices = new Subject()
let total = 0
export function fn() {
  prices.pipe(map((p) => p * 2)).subscribe((p) => {
    total += p
  })
  return total
}
