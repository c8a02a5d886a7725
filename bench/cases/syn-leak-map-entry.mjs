// A "seen ids" Map that nobody deletes from. Map tables grow in steps (rehash), not smoothly.
export const label = 'leak'
export const metric = 'heap'
export const reason = 'Adds one entry per call to a module-level Map that is never cleared (step growth on rehash).'
/** What a user needs named to find the bug: the user's fn, or the seen Map. */
export const names = ['fn', 'seen']

const seen = new Map()
let id = 0
export function fn() {
  seen.set(id, id++)
}
