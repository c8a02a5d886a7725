// Symbol.for keys from request data: the global symbol registry never forgets them.
export const label = 'leak'
export const metric = 'heap'
export const reason = 'Calls Symbol.for with a new key per call; registered symbols live as long as the process.'
/** What a user needs named to find the bug: the user's fn, Symbol.for, or the symbols themselves. */
export const names = ['fn', 'Symbol.for', /\bsymbol\b/i]

let id = 0
export function fn() {
  return Symbol.for(`request:${id++}`)
}
