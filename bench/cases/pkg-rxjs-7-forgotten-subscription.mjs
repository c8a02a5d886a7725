// The most common rxjs leak: subscribing per call to a long-lived Subject and never unsubscribing.
import { map, Subject } from 'rxjs'

export const label = 'leak'
export const metric = 'heap'
export const reason = 'rxjs@7: subscribes per call to a long-lived Subject through map() and never unsubscribes.'
/**
 * What a user needs named to find the bug: the user's fn that subscribes, the Subject (prices) holding the
 * subscribers, or a Subscriber type.
 */
export const names = ['fn', 'prices', 'Subject', /Subscriber\b/]

const prices = new Subject()
let total = 0
export function fn() {
  prices.pipe(map((p) => p * 2)).subscribe((p) => {
    total += p
  })
  return total
}
