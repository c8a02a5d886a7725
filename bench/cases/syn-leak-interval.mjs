// A poller started per call and never stopped.
export const label = 'leak'
export const metric = 'handles'
export const reason = 'Starts a 60 s setInterval per call and never clears it (a live Timeout handle per call).'
/** What a user needs named to find the bug: the user's fn, setInterval, or the Timeout handle. */
export const names = ['fn', 'setInterval', 'Timeout']

export function fn() {
  setInterval(() => {}, 60_000)
}
