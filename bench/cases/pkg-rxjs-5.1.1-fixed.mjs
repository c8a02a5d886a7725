// rxjs 5: a long-lived switch() over inner observables that complete. ReactiveX/rxjs#2355, fixed in 5.1.1
// (#2360). Same user code on both versions.
import { createRequire } from 'node:module'

const Rx = createRequire(import.meta.url)('rxjs-fixed')

export const label = 'clean'
export const metric = 'heap'
export const reason = 'rxjs@5.1.1 removes completed inner subscriptions (ReactiveX/rxjs#2358, #2360).'

const requests = new Rx.Subject()
requests.switch().subscribe(() => {})
let n = 0
export function fn() {
  const response = new Rx.Subject()
  requests.next(response)
  response.next(n++)
  response.complete()
}
