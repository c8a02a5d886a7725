// Registering a shutdown hook per call (a classic: per-request or per-connection process.on).
export const label = 'leak'
export const metric = 'listeners'
export const reason = "Adds a process.on('SIGUSR2') listener per call and never removes it."
/** What a user needs named to find the bug: the user's fn, the SIGUSR2 listeners on process, or the handler closure. */
export const names = ['fn', 'SIGUSR2', 'handler']

process.setMaxListeners(0)
export function fn() {
  const handler = () => {}
  process.on('SIGUSR2', handler)
}
