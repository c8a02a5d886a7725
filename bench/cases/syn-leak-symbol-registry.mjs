// Symbol.for keys from request data: the global symbol registry never forgets them.
export const label = 'leak'
export const metric = 'heap'
export const reason = 'Calls Symbol.for with a new key per call; registered symbols live as long as the process.'

let id = 0
export function fn() {
  return Symbol.for(`request:${id++}`)
}
