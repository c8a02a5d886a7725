// An async leak behind a macrotask: each call waits a setTimeout(0), then logs a line into a module array.
export const label = 'leak'
export const metric = 'heap'
export const reason = 'Async fn: awaits setTimeout(0), then pushes one new string per call into a module-level array.'
/** What a user needs named to find the bug: the user's fn, or the lines array holding the strings. */
export const names = ['fn', 'lines']

const lines = []
let id = 0
export async function fn() {
  await new Promise((resolve) => setTimeout(resolve, 0))
  lines.push(`request ${id++} done`)
}
