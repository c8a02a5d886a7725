// semver parses ranges through a bounded LRU cache (1000 entries): 3000 distinct ranges fill it, then it stays flat.
import semver from 'semver'

export const label = 'clean'
export const metric = 'heap'
export const reason = 'semver@7.6 satisfies() over 3000 distinct ranges: its range cache is an LRU capped at 1000.'

let n = 0
export function fn() {
  n++
  return semver.satisfies(`1.${n % 5000}.0`, `^1.${n % 3000}.0 || >=2.0.0-beta.${n % 7}`)
}
