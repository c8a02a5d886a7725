// A request log that is never trimmed: one small object per call.
export const label = 'leak'
export const metric = 'heap'
export const reason = 'Pushes one { id, at } object per call into a module-level array that is never trimmed.'
/** What a user needs named to find the bug: the user's fn, or the requests array. */
export const names = ['fn', 'requests']

const requests = []
let id = 0
export function fn() {
  requests.push({ id: id++, at: 0 })
}
