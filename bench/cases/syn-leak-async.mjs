// Async work that records every result in a module-level list.
export const label = 'leak'
export const metric = 'heap'
export const reason = 'Async fn: after an await, pushes one result object per call into a module-level array.'
/** What a user needs named to find the bug: the user's fn, or the results array holding the objects. */
export const names = ['fn', 'results']

const results = []
let id = 0
export async function fn() {
  await Promise.resolve()
  results.push({ id: id++, ok: true })
}
