// A Subject made per call (per request), subscribed, and its Subscription kept "to unsubscribe later" in a module
// array that nothing drains. Unlike pkg-rxjs-7-forgotten-subscription, no long-lived Subject is involved.
import { Subject } from 'rxjs'

export const label = 'leak'
export const metric = 'heap'
export const reason =
  'rxjs@7: a new Subject per call, subscribed; the Subscription is pushed to a module array never drained.'
/** What a user needs named to find the bug: the user's fn, the subscriptions array, or the rxjs types it keeps. */
export const names = ['fn', 'subscriptions', 'Subject', /Subscri(ber|ption)\b/]

const subscriptions = []
let total = 0
export function fn() {
  const updates = new Subject()
  subscriptions.push(
    updates.subscribe((value) => {
      total += value
    }),
  )
  updates.next(1)
  return total
}
