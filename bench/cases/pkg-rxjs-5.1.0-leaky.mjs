// rxjs 5: a long-lived switch() over inner observables that complete. ReactiveX/rxjs#2355, fixed in 5.1.1
// (#2360). Same user code on both versions.
import { createRequire } from 'node:module'

const Rx = createRequire(import.meta.url)('rxjs-leaky')

export const label = 'leak'
export const metric = 'heap'
export const reason =
  'rxjs@5.1.0 switch keeps the subscription of every completed inner observable (ReactiveX/rxjs#2355).'
/**
 * What a user needs named to find the bug: the switch operator (SwitchSubscriber) keeping each InnerSubscriber, or the
 * Subjects they hold.
 */
export const names = ['switch', 'SwitchSubscriber', 'InnerSubscriber', 'subscribeToResult', 'Subject']

const requests = new Rx.Subject()
requests.switch().subscribe(() => {})
let n = 0
export function fn() {
  const response = new Rx.Subject()
  requests.next(response)
  response.next(n++)
  response.complete()
}
