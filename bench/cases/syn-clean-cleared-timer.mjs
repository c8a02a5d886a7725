// A request timeout that is cleared when the work completes.
export const label = 'clean'
export const metric = 'handles'
export const reason = 'Sets a 30 s timeout per call and clears it before returning.'

export function fn() {
  const timer = setTimeout(() => {}, 30_000)
  clearTimeout(timer)
}
