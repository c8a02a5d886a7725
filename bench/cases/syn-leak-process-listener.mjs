// Registering a shutdown hook per call (a classic: per-request or per-connection process.on).
export const label = 'leak'
export const metric = 'listeners'
export const reason = "Adds a process.on('SIGUSR2') listener per call and never removes it."

process.setMaxListeners(0)
export function fn() {
  const handler = () => {}
  process.on('SIGUSR2', handler)
}
